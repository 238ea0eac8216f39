// Package cron schedules jobs on an erlgo node: Parse reads cron specs
// (5 or 6 fields, descriptors, L, xL and x#n) into Schedules whose Next
// follows a time zone's DST changes as Vixie cron does.
package cron
