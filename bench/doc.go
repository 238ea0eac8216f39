// Package bench measures erlgo against the BEAM side by side.
//
// The same workloads (see Workloads) run on every pairing ("side"): BEAM
// local and BEAM<->BEAM over loopback, driven by the Erlang module in
// erl/erlgo_bench.erl; Go local and Go<->Go over loopback on erlgo's node
// runtime; Go->BEAM and BEAM->Go across a real distribution connection.
// Each side implements Side. Run alternates rounds between the sides, in a
// rotating order, so that machine noise hits every side alike, and reports
// the median, min and max of the rounds, call latency percentiles, bytes per
// idle process and the ratio erlgo/BEAM for each workload.
//
// A side that cannot run yet (its package is not built, or erl is missing)
// reports ErrNotBuilt or ErrUnavailable from Start and shows up as "n/a" in
// the report instead of a number.
//
// The report is written as a Markdown table (WriteTable), JSON (WriteJSON)
// and an SVG chart (WriteSVG) generated in pure Go.
package bench
