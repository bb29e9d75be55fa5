export { createApi, userName, DEFAULT_UI_FOLDER, type ApiOptions, type ApiContext } from "./app.js";
export { serve, type ServeOptions, type RunningServer } from "./serve.js";
export { createAuthenticator, SYSTEM_USER, type ApiUser, type Authenticator } from "./auth.js";
export { EventHub, type InvalidateCache } from "./events.js";
export { HttpProblem } from "./problem.js";
