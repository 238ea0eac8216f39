// Package ownertest holds the test helpers that the port, tcp, udp and web
// packages share: a local node per test (LocalNode, StopNode, Logger,
// UniqueName) and an owner process (Owner) that runs functions inside its
// handler, so that the code under test is called from a process as in real
// code, and hands every other message it receives to the test.
//
// It is a normal package so that several packages' _test.go files can
// import it, but only tests use it: nothing outside _test.go files may
// import it. Its helpers start no goroutine of their own beyond the node's
// and the owner's, both ended at the test's cleanup, so the goleak checks
// of the packages that use it keep passing.
package ownertest
