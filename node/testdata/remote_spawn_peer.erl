%% Functions that node/remote_spawn_erl_test.go spawns on a BEAM node from
%% Go (SPAWN_REQUEST), loaded next to node_peer.
-module(remote_spawn_peer).
-export([hello/1, loop/0, gl/1, quick/0, spawn_loop/2]).

%% hello(To) tells To who it is, then serves pings until stop.
hello(To) ->
    To ! {self(), hello},
    loop().

%% loop() answers {From, ping} with {self(), pong}, tells {From, links}
%% its links and exits normally on stop.
loop() ->
    receive
        {From, ping} -> From ! {self(), pong}, loop();
        {From, links} -> From ! {self(), element(2, process_info(self(), links))}, loop();
        stop -> ok
    end.

%% gl(To) sends To the group leader it was given.
gl(To) -> To ! {self(), group_leader()}.

%% quick() returns at once: a process that exits normally right away.
quick() -> ok.

%% spawn_loop(Node, N) spawns quick/0 on Node N times, one after the
%% other: spawn/4 toward another node waits for the SPAWN_REPLY.
spawn_loop(_Node, 0) -> ok;
spawn_loop(Node, N) ->
    _ = spawn(Node, ?MODULE, quick, []),
    spawn_loop(Node, N - 1).
