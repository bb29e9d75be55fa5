/**
 * The REST API's types, generated from the server's OpenAPI document by packages/ui/scripts/api-types.ts
 * (openapi-typescript): do not edit. `npm run api-types` rewrites it; build:ui and typecheck do too.
 */
export interface paths {
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OK when the database answers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": "OK";
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How the web UI signs in: authentication on or off, issuer, client id, scopes */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description OAUTH2_ACTIVE: every other API route needs a bearer token */
                            enabled: boolean;
                            /** @description OIDC_ISSUER: the authority the UI signs in at */
                            issuer: string | null;
                            /** @description OIDC_CLIENT_ID: the UI's public client; null when not configured */
                            client_id: string | null;
                            /** @description OIDC_SCOPE: space-separated scopes the UI asks for */
                            scope: string;
                            /** @description OIDC_EXTRA_PARAMS: added to the UI's authorization and token requests */
                            extra_params: {
                                [key: string]: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List processes (range, sort, filter, query; Content-Range header) */
        get: {
            parameters: {
                query?: {
                    /** @description Rows to return, inclusive, e.g. 0,14 */
                    range?: string;
                    /** @description field,asc|desc pairs, e.g. started_at,desc */
                    sort?: string;
                    /** @description field,value pairs; a value may list alternatives separated by '-' */
                    filter?: string;
                    /** @description Free text search */
                    query?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            process_id: string;
                            workflow_id: string;
                            workflow_name: string;
                            /** @enum {string} */
                            workflow_target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                            is_task: boolean;
                            created_by: string | null;
                            failed_reason: string | null;
                            /** Format: date-time */
                            started_at: string;
                            /** Format: date-time */
                            last_modified_at: string;
                            /** @enum {string} */
                            last_status: "created" | "running" | "suspended" | "waiting" | "awaiting_callback" | "aborted" | "failed" | "api_unavailable" | "inconsistent_data" | "completed" | "resumed";
                            last_step: string | null;
                            assignee: string;
                            note: string | null;
                            /** @description The product of the process's first subscription */
                            product_id: string | null;
                            /** @description The customer of the process's first subscription */
                            customer_id: string | null;
                            product: {
                                product_id: string;
                                name: string;
                                description: string;
                                product_type: string;
                                tag: string;
                                status: string;
                                created_at: string;
                                end_date: string | null;
                            } | null;
                            subscriptions: {
                                workflow_target: string | null;
                                subscription_id: string;
                                description: string;
                                /** @enum {string} */
                                status: "initial" | "provisioning" | "active" | "disabled" | "terminated" | "migrating";
                                insync: boolean;
                                customer_id: string;
                                /** Format: date-time */
                                start_date: string | null;
                                /** Format: date-time */
                                end_date: string | null;
                                note: string | null;
                                product: {
                                    product_id: string;
                                    name: string;
                                    tag: string;
                                    product_type: string;
                                };
                            }[];
                        }[];
                    };
                };
                /** @description Not modified: the page's ETag matches If-None-Match */
                304: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes/status-counts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Processes and tasks per status */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Workflow processes per status */
                            process_counts: {
                                [key: string]: number;
                            };
                            /** @description Task processes per status */
                            task_counts: {
                                [key: string]: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes/resume-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Retry every failed, waiting or unavailable task */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Tasks resumed */
                            count: number;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes/{process_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A process with its steps */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    process_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            process_id: string;
                            workflow_id: string;
                            workflow_name: string;
                            /** @enum {string} */
                            workflow_target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                            is_task: boolean;
                            created_by: string | null;
                            failed_reason: string | null;
                            /** Format: date-time */
                            started_at: string;
                            /** Format: date-time */
                            last_modified_at: string;
                            /** @enum {string} */
                            last_status: "created" | "running" | "suspended" | "waiting" | "awaiting_callback" | "aborted" | "failed" | "api_unavailable" | "inconsistent_data" | "completed" | "resumed";
                            last_step: string | null;
                            assignee: string;
                            note: string | null;
                            /** @description The product of the process's first subscription */
                            product_id: string | null;
                            /** @description The customer of the process's first subscription */
                            customer_id: string | null;
                            product: {
                                product_id: string;
                                name: string;
                                description: string;
                                product_type: string;
                                tag: string;
                                status: string;
                                created_at: string;
                                end_date: string | null;
                            } | null;
                            subscriptions: {
                                workflow_target: string | null;
                                subscription_id: string;
                                description: string;
                                /** @enum {string} */
                                status: "initial" | "provisioning" | "active" | "disabled" | "terminated" | "migrating";
                                insync: boolean;
                                customer_id: string;
                                /** Format: date-time */
                                start_date: string | null;
                                /** Format: date-time */
                                end_date: string | null;
                                note: string | null;
                                product: {
                                    product_id: string;
                                    name: string;
                                    tag: string;
                                    product_type: string;
                                };
                            }[];
                            traceback: string | null;
                            current_state: {
                                [key: string]: unknown;
                            };
                            steps: {
                                step_id?: string;
                                stepid?: string;
                                name: string;
                                /** @enum {string} */
                                status: "success" | "skipped" | "suspend" | "waiting" | "awaiting_callback" | "failed" | "abort" | "complete" | "pending";
                                created_by?: string | null;
                                /** @description Seconds since the epoch */
                                executed?: number | null;
                                /** @description Seconds since the epoch */
                                started?: number | null;
                                /** @description Seconds since the epoch */
                                completed?: number | null;
                                state?: {
                                    [key: string]: unknown;
                                };
                                /** @description The keys that changed from the previous step's state */
                                state_delta?: {
                                    [key: string]: unknown;
                                };
                            }[];
                            /** @description The JSON schema of the form a suspended step waits for */
                            form: {
                                [key: string]: unknown;
                            } | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a task's process */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    process_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Set the process's note */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    process_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        note: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            process_id: string;
                            workflow_id: string;
                            workflow_name: string;
                            /** @enum {string} */
                            workflow_target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                            is_task: boolean;
                            created_by: string | null;
                            failed_reason: string | null;
                            /** Format: date-time */
                            started_at: string;
                            /** Format: date-time */
                            last_modified_at: string;
                            /** @enum {string} */
                            last_status: "created" | "running" | "suspended" | "waiting" | "awaiting_callback" | "aborted" | "failed" | "api_unavailable" | "inconsistent_data" | "completed" | "resumed";
                            last_step: string | null;
                            assignee: string;
                            note: string | null;
                            /** @description The product of the process's first subscription */
                            product_id: string | null;
                            /** @description The customer of the process's first subscription */
                            customer_id: string | null;
                            product: {
                                product_id: string;
                                name: string;
                                description: string;
                                product_type: string;
                                tag: string;
                                status: string;
                                created_at: string;
                                end_date: string | null;
                            } | null;
                            subscriptions: {
                                workflow_target: string | null;
                                subscription_id: string;
                                description: string;
                                /** @enum {string} */
                                status: "initial" | "provisioning" | "active" | "disabled" | "terminated" | "migrating";
                                insync: boolean;
                                customer_id: string;
                                /** Format: date-time */
                                start_date: string | null;
                                /** Format: date-time */
                                end_date: string | null;
                                note: string | null;
                                product: {
                                    product_id: string;
                                    name: string;
                                    tag: string;
                                    product_type: string;
                                };
                            }[];
                            traceback: string | null;
                            current_state: {
                                [key: string]: unknown;
                            };
                            steps: {
                                step_id?: string;
                                stepid?: string;
                                name: string;
                                /** @enum {string} */
                                status: "success" | "skipped" | "suspend" | "waiting" | "awaiting_callback" | "failed" | "abort" | "complete" | "pending";
                                created_by?: string | null;
                                /** @description Seconds since the epoch */
                                executed?: number | null;
                                /** @description Seconds since the epoch */
                                started?: number | null;
                                /** @description Seconds since the epoch */
                                completed?: number | null;
                                state?: {
                                    [key: string]: unknown;
                                };
                                /** @description The keys that changed from the previous step's state */
                                state_delta?: {
                                    [key: string]: unknown;
                                };
                            }[];
                            /** @description The JSON schema of the form a suspended step waits for */
                            form: {
                                [key: string]: unknown;
                            } | null;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/processes/{workflow_key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a workflow: 510 with the next form page until every page is submitted, then 201 {id} */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    workflow_key: string;
                };
                cookie?: never;
            };
            /** @description The form pages submitted so far: [] asks for the first page */
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    }[];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The new process */
                            id: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes/{process_id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Resume a suspended process with its form pages, or retry a failed / waiting one */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    process_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    }[] | {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes/{process_id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Abort a process */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    process_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes/{process_id}/callback/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An external system answers an awaiting callback step */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    process_id: string;
                    token: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            process_id: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/processes/{process_id}/callback/{token}/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Progress of an awaiting callback step (a string or an object) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    process_id: string;
                    token: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": string | {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            process_id: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List subscriptions (range, sort, filter, query; Content-Range header) */
        get: {
            parameters: {
                query?: {
                    /** @description Rows to return, inclusive, e.g. 0,14 */
                    range?: string;
                    /** @description field,asc|desc pairs, e.g. started_at,desc */
                    sort?: string;
                    /** @description field,value pairs; a value may list alternatives separated by '-' */
                    filter?: string;
                    /** @description Free text search */
                    query?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            subscription_id: string;
                            description: string;
                            /** @enum {string} */
                            status: "initial" | "provisioning" | "active" | "disabled" | "terminated" | "migrating";
                            insync: boolean;
                            customer_id: string;
                            /** Format: date-time */
                            start_date: string | null;
                            /** Format: date-time */
                            end_date: string | null;
                            note: string | null;
                            version: number;
                            product_id: string;
                            product: {
                                product_id: string;
                                name: string;
                                description: string;
                                product_type: string;
                                tag: string;
                                status: string;
                                created_at: string;
                                end_date: string | null;
                            };
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscriptions/domain-model/{subscription_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The subscription as its domain model, with its product-block tree */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    subscription_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscriptions/workflows/{subscription_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The workflows the subscription may run now, with the reason when one may not */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    subscription_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            create: {
                                name: string;
                                description: string;
                                /** @description A translation key: why the workflow may not run now */
                                reason?: string;
                                readonly usable_when?: string[];
                                status?: string;
                                /** @enum {string} */
                                action?: "terminated" | "modified";
                                locked_relations?: string[];
                                locked_relations_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                                unterminated_in_use_by_subscriptions?: string[];
                                unterminated_in_use_by_subscriptions_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                            }[];
                            modify: {
                                name: string;
                                description: string;
                                /** @description A translation key: why the workflow may not run now */
                                reason?: string;
                                readonly usable_when?: string[];
                                status?: string;
                                /** @enum {string} */
                                action?: "terminated" | "modified";
                                locked_relations?: string[];
                                locked_relations_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                                unterminated_in_use_by_subscriptions?: string[];
                                unterminated_in_use_by_subscriptions_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                            }[];
                            terminate: {
                                name: string;
                                description: string;
                                /** @description A translation key: why the workflow may not run now */
                                reason?: string;
                                readonly usable_when?: string[];
                                status?: string;
                                /** @enum {string} */
                                action?: "terminated" | "modified";
                                locked_relations?: string[];
                                locked_relations_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                                unterminated_in_use_by_subscriptions?: string[];
                                unterminated_in_use_by_subscriptions_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                            }[];
                            system: {
                                name: string;
                                description: string;
                                /** @description A translation key: why the workflow may not run now */
                                reason?: string;
                                readonly usable_when?: string[];
                                status?: string;
                                /** @enum {string} */
                                action?: "terminated" | "modified";
                                locked_relations?: string[];
                                locked_relations_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                                unterminated_in_use_by_subscriptions?: string[];
                                unterminated_in_use_by_subscriptions_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                            }[];
                            validate: {
                                name: string;
                                description: string;
                                /** @description A translation key: why the workflow may not run now */
                                reason?: string;
                                readonly usable_when?: string[];
                                status?: string;
                                /** @enum {string} */
                                action?: "terminated" | "modified";
                                locked_relations?: string[];
                                locked_relations_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                                unterminated_in_use_by_subscriptions?: string[];
                                unterminated_in_use_by_subscriptions_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                            }[];
                            reconcile: {
                                name: string;
                                description: string;
                                /** @description A translation key: why the workflow may not run now */
                                reason?: string;
                                readonly usable_when?: string[];
                                status?: string;
                                /** @enum {string} */
                                action?: "terminated" | "modified";
                                locked_relations?: string[];
                                locked_relations_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                                unterminated_in_use_by_subscriptions?: string[];
                                unterminated_in_use_by_subscriptions_detail?: {
                                    subscription_id: string;
                                    subscription_description: string;
                                }[];
                            }[];
                            /** @description Why no workflow may run now (the subscription is locked or out of sync) */
                            reason?: string;
                            locked_relations?: string[];
                            locked_relations_detail?: {
                                subscription_id: string;
                                subscription_description: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscriptions/{subscription_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A subscription */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    subscription_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            subscription_id: string;
                            description: string;
                            /** @enum {string} */
                            status: "initial" | "provisioning" | "active" | "disabled" | "terminated" | "migrating";
                            insync: boolean;
                            customer_id: string;
                            /** Format: date-time */
                            start_date: string | null;
                            /** Format: date-time */
                            end_date: string | null;
                            note: string | null;
                            version: number;
                            product_id: string;
                            product: {
                                product_id: string;
                                name: string;
                                description: string;
                                product_type: string;
                                tag: string;
                                status: string;
                                created_at: string;
                                end_date: string | null;
                                fixed_inputs: {
                                    fixed_input_id: string;
                                    name: string;
                                    value: string;
                                    /** Format: date-time */
                                    created_at: string;
                                }[];
                            };
                            customer_descriptions: {
                                id: string;
                                subscription_id: string;
                                customer_id: string;
                                description: string;
                                /** Format: date-time */
                                created_at: string;
                                version: number;
                            }[];
                            metadata: {
                                [key: string]: unknown;
                            } | null;
                            processes: {
                                process_id: string;
                                workflow_name: string;
                                /** @enum {string} */
                                workflow_target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                                is_task: boolean;
                                /** @enum {string} */
                                last_status: "created" | "running" | "suspended" | "waiting" | "awaiting_callback" | "aborted" | "failed" | "api_unavailable" | "inconsistent_data" | "completed" | "resumed";
                                last_step: string | null;
                                created_by: string | null;
                                /** Format: date-time */
                                started_at: string;
                                /** Format: date-time */
                                last_modified_at: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscriptions/{subscription_id}/set_in_sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Mark the subscription in sync (after a failed process was dealt with by hand) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    subscription_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscription_customer_descriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change a customer's description of a subscription */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: uuid */
                        subscription_id: string;
                        customer_id: string;
                        description: string;
                        /** Format: uuid */
                        id: string;
                        created_at?: string;
                        version?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        /** Add a customer's description of a subscription */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: uuid */
                        subscription_id: string;
                        customer_id: string;
                        description: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscription_customer_descriptions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A customer description */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            subscription_id: string;
                            customer_id: string;
                            description: string;
                            /** Format: date-time */
                            created_at: string;
                            version: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove a customer description */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscription_customer_descriptions/customer/{customer_id}/subscription/{subscription_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A customer's description of a subscription */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    subscription_id: string;
                    customer_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            subscription_id: string;
                            customer_id: string;
                            description: string;
                            /** Format: date-time */
                            created_at: string;
                            version: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Products with their fixed inputs, product blocks and workflows */
        get: {
            parameters: {
                query?: {
                    tag?: string;
                    product_type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            product_id: string;
                            name: string;
                            description: string;
                            product_type: string;
                            tag: string;
                            status: string;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            end_date: string | null;
                            fixed_inputs: {
                                fixed_input_id: string;
                                name: string;
                                value: string;
                                /** Format: date-time */
                                created_at: string;
                                product_id: string;
                            }[];
                            product_blocks: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                end_date: string | null;
                            }[];
                            workflows: {
                                workflow_id: string;
                                name: string;
                                /** @enum {string} */
                                target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                                is_task: boolean;
                                description: string;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/products/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A product */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            product_id: string;
                            name: string;
                            description: string;
                            product_type: string;
                            tag: string;
                            status: string;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            end_date: string | null;
                            fixed_inputs: {
                                fixed_input_id: string;
                                name: string;
                                value: string;
                                /** Format: date-time */
                                created_at: string;
                                product_id: string;
                            }[];
                            product_blocks: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                end_date: string | null;
                            }[];
                            workflows: {
                                workflow_id: string;
                                name: string;
                                /** @enum {string} */
                                target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                                is_task: boolean;
                                description: string;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a product's description or lifecycle status */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        /** @enum {string} */
                        status?: "active" | "pre production" | "phase out" | "end of life";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            product_id: string;
                            name: string;
                            description: string;
                            product_type: string;
                            tag: string;
                            status: string;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            end_date: string | null;
                            fixed_inputs: {
                                fixed_input_id: string;
                                name: string;
                                value: string;
                                /** Format: date-time */
                                created_at: string;
                                product_id: string;
                            }[];
                            product_blocks: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                end_date: string | null;
                            }[];
                            workflows: {
                                workflow_id: string;
                                name: string;
                                /** @enum {string} */
                                target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                                is_task: boolean;
                                description: string;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/product_blocks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Product blocks with resource types and the blocks they depend on */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            product_block_id: string;
                            name: string;
                            description: string;
                            tag: string | null;
                            status: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            end_date: string | null;
                            resource_types: {
                                resource_type_id: string;
                                resource_type: string;
                                description: string | null;
                            }[];
                            depends_on: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                            }[];
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/product_blocks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A product block */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            product_block_id: string;
                            name: string;
                            description: string;
                            tag: string | null;
                            status: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            end_date: string | null;
                            resource_types: {
                                resource_type_id: string;
                                resource_type: string;
                                description: string | null;
                            }[];
                            depends_on: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a product block's description */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            product_block_id: string;
                            name: string;
                            description: string;
                            tag: string | null;
                            status: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            end_date: string | null;
                            resource_types: {
                                resource_type_id: string;
                                resource_type: string;
                                description: string | null;
                            }[];
                            depends_on: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/resource_types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Resource types with the blocks using them */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            resource_type_id: string;
                            resource_type: string;
                            description: string | null;
                            product_blocks: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                            }[];
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/resource_types/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A resource type */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            resource_type_id: string;
                            resource_type: string;
                            description: string | null;
                            product_blocks: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a resource type's description */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            resource_type_id: string;
                            resource_type: string;
                            description: string | null;
                            product_blocks: {
                                product_block_id: string;
                                name: string;
                                description: string;
                                tag: string | null;
                                status: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/workflows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Workflows in the database with their products and steps */
        get: {
            parameters: {
                query?: {
                    target?: string;
                    is_task?: "true" | "false";
                    name?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            workflow_id: string;
                            name: string;
                            /** @enum {string} */
                            target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                            is_task: boolean;
                            description: string;
                            /** Format: date-time */
                            created_at: string;
                            /** @description The steps in code; [] when the code does not have the workflow */
                            steps: {
                                name: string;
                            }[];
                            products: {
                                product_id: string;
                                name: string;
                                description: string;
                                tag: string;
                                product_type: string;
                                status: string;
                            }[];
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/registration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Each workflow's registration in code and in the database */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            in_code: boolean;
                            /** @description The module of its LazyWorkflowInstance */
                            module: string | null;
                            in_database: boolean;
                            workflow_id: string | null;
                            /** @description Target in code */
                            target: string | null;
                            database_target: string | null;
                            is_task: boolean | null;
                            description: string | null;
                            product_types: string[];
                            products: {
                                product_id: string;
                                name: string;
                            }[];
                            problems: string[];
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/registration/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The registration verdict: every problem of workflows and products (what db check and task_validate_products report) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            ok: boolean;
                            problems: {
                                kind: string;
                                workflow: string | null;
                                product: string | null;
                                message: string;
                            }[];
                            /** @description Active products → the targets they have no workflow for */
                            products_without_all_workflows: {
                                [key: string]: string[];
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/{workflow_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A workflow */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    workflow_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            workflow_id: string;
                            name: string;
                            /** @enum {string} */
                            target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                            is_task: boolean;
                            description: string;
                            /** Format: date-time */
                            created_at: string;
                            /** @description The steps in code; [] when the code does not have the workflow */
                            steps: {
                                name: string;
                            }[];
                            products: {
                                product_id: string;
                                name: string;
                                description: string;
                                tag: string;
                                product_type: string;
                                status: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a workflow's description */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    workflow_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            workflow_id: string;
                            name: string;
                            /** @enum {string} */
                            target: "CREATE" | "MODIFY" | "TERMINATE" | "SYSTEM" | "VALIDATE" | "RECONCILE";
                            is_task: boolean;
                            description: string;
                            /** Format: date-time */
                            created_at: string;
                            /** @description The steps in code; [] when the code does not have the workflow */
                            steps: {
                                name: string;
                            }[];
                            products: {
                                product_id: string;
                                name: string;
                                description: string;
                                tag: string;
                                product_type: string;
                                status: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/settings/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Engine status: RUNNING, PAUSING or PAUSED */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            global_lock: boolean;
                            /** @enum {string} */
                            global_status: "RUNNING" | "PAUSING" | "PAUSED";
                            running_processes: number;
                        };
                    };
                };
            };
        };
        /** Pause (global_lock true) or unpause the engine; running processes stop before their next step */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        global_lock: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            global_lock: boolean;
                            /** @enum {string} */
                            global_status: "RUNNING" | "PAUSING" | "PAUSED";
                            running_processes: number;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/worker-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Executor type, workers, queued and running jobs */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            executor_type: string;
                            number_of_workers_online: number;
                            number_of_queued_jobs: number;
                            number_of_running_jobs: number;
                            /** @description The worker processes (EXECUTOR=worker); empty for the in-process executor */
                            workers: {
                                worker_id: string;
                                hostname: string;
                                pid: number;
                                /** @description Processes it runs at a time (its MAX_WORKERS) */
                                capacity: number;
                                /** @description Processes it runs now (as of its last heartbeat) */
                                running: number;
                                /** Format: date-time */
                                started_at: string;
                                /** Format: date-time */
                                heartbeat_at: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/cache-names": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caches that can be flushed: name → what it holds */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/cache/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Flush a cache (its entries are read again) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/search-index/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Nothing to do: the search reads the tables themselves, there is no search index */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The settings (EXPOSE_SETTINGS=true; secrets hidden), as orchestrator-core's exposed settings */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            variables: {
                                env_name: string;
                                env_value: unknown;
                            }[];
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The scheduled tasks, the next to run first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            schedule_id: string;
                            name: string;
                            workflow_name: string;
                            /** @enum {string} */
                            trigger: "cron" | "interval";
                            /** @description Minute hour day month weekday, in UTC */
                            cron: string | null;
                            interval_seconds: number | null;
                            /** @description The form pages the process is started with */
                            user_inputs: unknown[];
                            /** Format: date-time */
                            next_run_at: string | null;
                            /** Format: date-time */
                            last_run_at: string | null;
                            /** @description "started", or why the start failed */
                            last_result: string | null;
                            last_process_id: string | null;
                            last_process_status: string | null;
                            /** Format: date-time */
                            created_at: string;
                        }[];
                    };
                };
            };
        };
        put?: never;
        /** Schedule a task or workflow (cron or interval) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        workflow_name: string;
                        /** @enum {string} */
                        trigger: "cron" | "interval";
                        cron?: string | null;
                        interval_seconds?: number | null;
                        user_inputs?: {
                            [key: string]: unknown;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            schedule_id: string;
                            name: string;
                            workflow_name: string;
                            /** @enum {string} */
                            trigger: "cron" | "interval";
                            /** @description Minute hour day month weekday, in UTC */
                            cron: string | null;
                            interval_seconds: number | null;
                            /** @description The form pages the process is started with */
                            user_inputs: unknown[];
                            /** Format: date-time */
                            next_run_at: string | null;
                            /** Format: date-time */
                            last_run_at: string | null;
                            /** @description "started", or why the start failed */
                            last_result: string | null;
                            last_process_id: string | null;
                            last_process_status: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{schedule_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A scheduled task */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    schedule_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            schedule_id: string;
                            name: string;
                            workflow_name: string;
                            /** @enum {string} */
                            trigger: "cron" | "interval";
                            /** @description Minute hour day month weekday, in UTC */
                            cron: string | null;
                            interval_seconds: number | null;
                            /** @description The form pages the process is started with */
                            user_inputs: unknown[];
                            /** Format: date-time */
                            next_run_at: string | null;
                            /** Format: date-time */
                            last_run_at: string | null;
                            /** @description "started", or why the start failed */
                            last_result: string | null;
                            last_process_id: string | null;
                            last_process_status: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a scheduled task */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    schedule_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a scheduled task */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    schedule_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        workflow_name?: string;
                        /** @enum {string} */
                        trigger?: "cron" | "interval";
                        cron?: string | null;
                        interval_seconds?: number | null;
                        user_inputs?: {
                            [key: string]: unknown;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            schedule_id: string;
                            name: string;
                            workflow_name: string;
                            /** @enum {string} */
                            trigger: "cron" | "interval";
                            /** @description Minute hour day month weekday, in UTC */
                            cron: string | null;
                            interval_seconds: number | null;
                            /** @description The form pages the process is started with */
                            user_inputs: unknown[];
                            /** Format: date-time */
                            next_run_at: string | null;
                            /** Format: date-time */
                            last_run_at: string | null;
                            /** @description "started", or why the start failed */
                            last_result: string | null;
                            last_process_id: string | null;
                            last_process_status: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/schedules/{schedule_id}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a scheduled task now (its next run is unchanged) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    schedule_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            process_id: string | null;
                            schedule: {
                                schedule_id: string;
                                name: string;
                                workflow_name: string;
                                /** @enum {string} */
                                trigger: "cron" | "interval";
                                /** @description Minute hour day month weekday, in UTC */
                                cron: string | null;
                                interval_seconds: number | null;
                                /** @description The form pages the process is started with */
                                user_inputs: unknown[];
                                /** Format: date-time */
                                next_run_at: string | null;
                                /** Format: date-time */
                                last_run_at: string | null;
                                /** @description "started", or why the start failed */
                                last_result: string | null;
                                last_process_id: string | null;
                                last_process_status: string | null;
                                /** Format: date-time */
                                created_at: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/search/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Search subscriptions: filters, free text, order, cursor paging (orchestrator-core's search API) */
        post: {
            parameters: {
                query?: {
                    /** @description next_page_cursor of the page before, with the same body */
                    cursor?: string;
                    /** @description false: no response_columns */
                    include_columns?: "true" | "false";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Free text */
                        query?: string | null;
                        /** @description A filter tree {op: AND|OR, children: [{path, condition: {op, value}} | group]}, or an Elasticsearch query (bool, term, range, wildcard, regexp, exists) */
                        filters?: {
                            [key: string]: unknown;
                        } | null;
                        /** @description Rows per page, 1 to 100; default 10, or the cursor's */
                        limit?: number | null;
                        /**
                         * @description Only fuzzy (or none) here: there are no embeddings
                         * @enum {string|null}
                         */
                        retriever?: "fuzzy" | "semantic" | "hybrid" | "auto" | null;
                        /** @description A path to order by (only without a query); default subscription.start_date desc */
                        order_by?: {
                            element: string;
                            /**
                             * @default asc
                             * @enum {string}
                             */
                            direction?: "asc" | "desc";
                        } | null;
                        /** @description Paths whose values each row carries in response_columns */
                        response_columns?: string[] | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                entity_id: string;
                                /** @enum {string} */
                                entity_type: "SUBSCRIPTION";
                                entity_title: string;
                                score: number;
                                perfect_match: number;
                                matching_fields: {
                                    text: string;
                                    path: string;
                                    highlight_indices: (number)[][];
                                }[];
                                response_columns: {
                                    [key: string]: unknown;
                                } | null;
                            }[];
                            page_info: {
                                has_next_page: boolean;
                                next_page_cursor: string | null;
                            };
                            search_metadata: {
                                search_type: string;
                                description: string;
                            } | null;
                            cursor: {
                                total_items: number;
                                start_cursor: number;
                                end_cursor: number;
                            } | null;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/search/paths": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The paths the filter builder offers: leaves (field names with their full paths and UI types) and components */
        get: {
            parameters: {
                query?: {
                    /** @description Part of a path or field name */
                    q?: string;
                    /** @description The paths' start */
                    prefix?: string;
                    entity_type?: "SUBSCRIPTION" | "PRODUCT" | "WORKFLOW" | "PROCESS";
                    limit?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            leaves: {
                                name: string;
                                ui_types: string[];
                                paths: string[];
                            }[];
                            components: {
                                name: string;
                                ui_types: string[];
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/search/definitions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Per UI type (string, number, boolean, datetime, component): its operators and the values they take */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: {
                                operators: string[];
                                value_schema: {
                                    [key: string]: {
                                        kind: string;
                                        fields?: {
                                            [key: string]: {
                                                kind: string;
                                            };
                                        };
                                    };
                                };
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/forms/{form_key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fill in a named form: 510 with the next page, 400 with field errors, 200 with the result; 404 unknown form */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    form_key: string;
                };
                cookie?: never;
            };
            /** @description The form pages submitted so far: [] asks for the first page */
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    }[];
                };
            };
            responses: {
                /** @description The form's result */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/translations/{locale}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Labels for the WFO UI: form fields and workflows, and the app's own file for the locale */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    locale: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/user/error": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log an error the UI met */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/user/log/{user_name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log a user's sign-in or sign-out as the UI reports it */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    user_name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics: processes, subscriptions, engine, step durations */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
