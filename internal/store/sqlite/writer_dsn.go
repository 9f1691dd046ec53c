package sqlite

// WriterDSN is the connection string of the writer connection Open makes
// for the file at path: WAL, synchronous=FULL, foreign keys and BEGIN
// IMMEDIATE. The benchmark report (internal/benchreport) measures one
// commit with exactly these settings.
func WriterDSN(path string) string { return dsn(path, false) }
