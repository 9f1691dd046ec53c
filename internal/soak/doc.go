// Package soak runs a simulated span of Alexa traffic, a year by default,
// through the real linkpool server and the real SmartLamp skill, and
// reports every account link Alexa would have dropped.
//
// Everything runs in one process but through the real parts: server
// instances (app.New) on loopback HTTP listeners behind a round-robin
// front proxy that plays the load balancer, the SmartLamp skill hosted
// apart from the pool on its own listener and database (verifying tokens
// against the pool's JWKS fetched over HTTP, as `skill serve` does), and
// Amazon's side played by package alexasim: account linking with the
// hosted login form, a directive per link every simulated hour, and a
// refresh five minutes before each access token expires. Server, skill
// and simulator share one settable clock that Run advances, so access
// tokens really expire at the server; nothing sleeps for simulated time.
//
// Over the span Run schedules signing-key rotations (one of them twice in
// a row, the second refused until the next key may sign), a refresh whose
// response is lost on a client with refresh-token rotation, an instance
// killed mid-traffic and replaced, a database outage of a few minutes, a
// password change and a global sign-out of one user (which must end that
// link and only that one; the user then links again) and a restart of
// every instance. The Report counts refreshes, directives, transient
// failures and unlinks with their cause; any unlink the schedule did not
// call for is unexpected and fails the run.
//
// Files: config.go (Config, hooks, defaults), clock.go (the clock and the
// schedule), deployment.go (instances and the front proxy), outage.go
// (database outages), alexa.go (the skill host and Amazon's environment),
// links.go (the links and the traffic), events.go (the scheduled events),
// report.go (the report), run.go (Run).
package soak
