// Package partition holds erlgo's network partition tests: nodes on their
// own network namespaces (ip netns, a veth pair, addresses 10.77.N.1/2 that
// the tests create and delete), faults injected between them (link down,
// loss of every packet, loss in one direction, a peer frozen with SIGSTOP,
// a slow link), and the same scenario run BEAM<->BEAM and Go<->BEAM in the
// same test so that erlgo's behaviour is compared with OTP's: nodedown
// within net_ticktime, noconnection for links and monitors, failed calls,
// reconnection after healing, global name clashes and pg membership.
//
// The Go node runs as a separate process (this test binary re-executed
// under `ip netns exec`), because sockets belong to the namespace of the
// thread that opens them. The tests need root, ip and nft; elsewhere they
// skip, except with CI set, where they fail.
package partition
