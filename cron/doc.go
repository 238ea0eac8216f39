// Package cron runs jobs on a schedule in an erlgo node: a cron process,
// linked to its owner and supervisable, that sends messages, spawns
// processes or calls functions at the times cron specs name, to the
// second, in any time zone.
//
// # Processes
//
// Start starts a cron process linked to an owner process: it ends when
// the owner ends, whatever the reason (it traps exits and exits with the
// owner's reason, as a gen_server does with its parent), and the owner
// gets an exit signal when it ends. ChildSpec gives the same process to
// an actors.Supervisor; WithJobs jobs are added each time it starts.
// The process is an actors.Actor: sys:get_state shows its jobs (one map
// per job), and with WithName it is listed by the observer and reachable
// with Attach.
//
//	c, err := cron.Start(ctx, p, cron.WithName("crond"), cron.WithFallback(alerts))
//	err = c.AddJob(ctx, "report", "0 7 * * MON-FRI", cron.Send(etf.Tuple{etf.Atom("reports"), peer}, etf.Atom("daily")))
//	err = c.AddJob(ctx, "cleanup", "@every 10m", cron.Func(cleanup))
//	jobs, err := c.Jobs(ctx) // names, specs, next run times, last runs and errors
//
// AddJob, AddSchedule, Remove, Enable, Disable and Jobs are calls to the
// process (ctx bounds them; the node's call timeout applies without a
// deadline). They work on the cron process's own node: the requests are
// Go values. Another call (from a BEAM node, say) is answered
// {error, unknown_request} and changes nothing. A disabled job keeps its
// place in Jobs with a zero Next; Enable schedules it from the current
// time.
//
// # Actions
//
// Send sends a message from the cron process to a pid, a registered
// name, or {Name, Node} on any node (connecting first when needed). Spawn
// starts a fresh process per run, monitored by the cron process; SpawnOn
// does the same on another node (module:function(args) on BEAM, a
// registered spawnable on a Go node) with erlang:spawn_request/5. Func
// calls a function on its own goroutine with a context that ends with the
// cron process. A failure goes to the job's fallback (JobFallback, else
// WithFallback) as a JobFailed value, or as the tuple JobFailed.Term()
// when the fallback is on another node; without a fallback it is logged
// at Warn. Failures are: a send to a name not registered on this node, to
// a local pid that is not alive, to a node that cannot be connected to
// (node.ErrNoConnection), or to a bad target; a Func that returns an
// error or panics (ErrPanic); a Spawn or SpawnOn whose process cannot
// be started (SpawnOn: also node.ErrNoConnection), or exits with a reason
// other than normal (an *node.ExitError); a run due while the previous
// one is still going (a Func that has not returned, a Send waiting for
// its connection, a SpawnOn waiting for its reply), which is skipped
// (ErrStillRunning). A send to a name on another node that is not
// registered there is dropped without an error, as erlang:send/2 drops
// it.
//
// # Specs
//
// Five fields (minute hour day-of-month month day-of-week) or six, with
// seconds first. Each field is a comma-separated list of * (or ? in the
// day fields), a value, a range a-b, each optionally with a step /n (a/n
// runs from a to the field's end). Months and weekdays take names (JAN,
// MON, any case); day-of-week 0 and 7 are Sunday. Extensions of the seed
// (Ergo) cron and Quartz:
//
//	L     in day-of-month: the month's last day ("0 0 L * *", "0 0 1,L * *")
//	xL    in day-of-week: the last weekday x of the month ("0 18 * * 5L", FRIL)
//	x#n   in day-of-week: the nth (1-5) weekday x ("0 9 * * MON#1"); months
//	      without a fifth one are skipped
//
// When both day fields are restricted, a day matches if either does
// (Vixie cron: "0 0 13 * 5" runs on the 13th and on every Friday); when
// one starts with * (or ?), both must match. Descriptors: @yearly
// (@annually), @monthly, @weekly, @daily (@midnight), @hourly, and
// @every <duration> (whole seconds, at least 1s; it ignores the wall
// clock). A CRON_TZ=<zone> or TZ=<zone> prefix reads the fields in that
// IANA zone; otherwise the cron's WithLocation, by default time.Local.
//
// # Time zones and DST
//
// Fields match the wall clock. On DST changes the rules are Vixie
// cron's, and depend on whether the minute or hour field starts with *
// (a wildcard job, e.g. "*/5 * * * *", "0 * * * *") or not (a fixed-time
// job, e.g. "30 2 * * *"). In America/New_York:
//
//   - 2026-03-08, spring forward (02:00 EST -> 03:00 EDT): a 02:30 job runs
//     once, at 03:00 EDT, the moment of the change (a job due twice in
//     the skipped hour, "0,30 2 * * *", runs once then); an hourly
//     "30 * * * *" job runs at 01:30 EST and next at 03:30 EDT.
//   - 2026-11-01, fall back (02:00 EDT -> 01:00 EST): a 01:30 job runs
//     once, at 01:30 EDT, not again at 01:30 EST; a "*/30 * * * *" job
//     runs at 01:30 EDT, 01:00 EST, 01:30 EST, as the clock reads.
//
// # Missed runs
//
// Runs are not caught up. When the process wakes up late (a slow
// machine, a wall-clock jump forward, a suspended VM), every overdue job
// runs once, for the time it was first due, and its next run is computed
// from the current time. The process sleeps at most a minute at a time,
// so a jump of the wall clock is noticed within a minute; after a jump
// backwards, jobs wait for their times to come again.
//
// # Clocks and tests
//
// WithClock takes any actors.Clock: actorstest.NewFakeClock drives the
// scheduler without waiting (Advance at most a minute at a time, so that
// the process can set its next timer between steps). Next searches at
// most ten years ahead and returns the zero time beyond that (AddJob
// refuses such a spec with ErrNoNextRun).
package cron
