// Package pool is linkpool's domain model: user pools, app clients, domains,
// users and groups, shaped after Amazon Cognito user pools.
//
// The package holds plain data types, Cognito's defaults, identifier
// generation and validation. It performs no I/O: storage lives in
// internal/store and HTTP lives in internal/oauth and internal/hostedui.
// Field names follow Cognito's API (CreateUserPool, CreateUserPoolClient,
// AdminCreateUser) so that a Cognito-compatible JSON API stays a thin layer.
package pool
