package password

// SetComputeHook installs fn to run inside the concurrency bound around
// every argon2id computation of h. It must be called before h is shared.
func SetComputeHook(h *Hasher, fn func() (done func())) { h.onCompute = fn }
