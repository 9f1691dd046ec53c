package web

// NewLimiterSize is NewLimiter remembering at most maxKeys keys.
var NewLimiterSize = newLimiter
