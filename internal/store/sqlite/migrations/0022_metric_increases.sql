-- The console dashboard's counter history (store.MetricIncrease): how
-- much each instance's counter series grew in the minute ending at time
-- (unix microseconds, whole minutes). The dashboard reads the rows newer
-- than a time summed over instances by time and series, which the
-- primary key's order answers without a sort; purges delete by time.
CREATE TABLE metric_increases (
	time     INTEGER NOT NULL,
	series   TEXT    NOT NULL,
	instance TEXT    NOT NULL,
	value    REAL    NOT NULL,
	PRIMARY KEY (time, series, instance)
) STRICT, WITHOUT ROWID;
