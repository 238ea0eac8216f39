%% it_services: a real OTP node attacks the Go node's services (defect 6
%% of issue 12) and checks that they keep answering. Run with
%% -eval 'it_services:main(GoNode)'. It prints "step <name> ok" after each
%% step and "done" at the end; any failure halts with status 1.
%%
%% The Go node registers t:whereis/1 (the pid registered under a name) so
%% that this node can learn the pids of the Go services.
-module(it_services).
-export([main/1]).

main([Go]) when is_atom(Go) -> main(Go);
main(Go) ->
    try
        run(Go),
        io:format("done~n"),
        halt(0)
    catch C:R:S ->
        io:format("FAILED ~p:~p~n~p~n", [C, R, S]),
        halt(1)
    end.

run(Go) ->
    pong = net_adm:ping(Go),
    step(ping_before),
    %% Replies a service cannot deliver: the caller's node never existed,
    %% its host has no epmd, or the From is not {Pid, Tag}.
    Gone = [gone_pid('gone@127.0.0.1'), gone_pid('gone@127.0.0.2')],
    [begin
         {net_kernel, Go} ! {'$gen_call', {P, make_ref()}, {is_auth, node()}},
         {net_kernel, Go} ! {'$gen_call', {P, [alias | make_ref()]}, {is_auth, node()}},
         {rex, Go} ! {'$gen_call', {P, make_ref()}, {call, t, whereis, [rex], user}},
         {rex, Go} ! {'$gen_call', {P, make_ref()}, {block_call, t, whereis, [rex], user}},
         {rex, Go} ! {P, {sbcast, nobody_here, hello}},
         {rex, Go} ! {P, {call, t, whereis, [rex], user}},
         {user, Go} ! {io_request, P, make_ref(), {put_chars, unicode, "lost\n"}}
     end || P <- Gone],
    {net_kernel, Go} ! {'$gen_call', not_a_from, {is_auth, node()}},
    {net_kernel, Go} ! {'$gen_call', {self()}, {is_auth, node()}},
    {rex, Go} ! {'$gen_call', {not_a_pid, make_ref()}, {call, t, whereis, [rex], user}},
    %% Messages from one sender to one process stay in order: these calls
    %% are served after everything above.
    pong = net_adm:ping(Go),
    Rex = rpc:call(Go, t, whereis, [rex]),
    true = is_pid(Rex),
    ok = io_request(Go),
    step(unreachable_replies),
    %% The accidental case: the caller's node dies while rex (block_call)
    %% and a rex worker (call) are still working on its requests.
    caller_dies(Go),
    Rex = rpc:call(Go, t, whereis, [rex]),
    pong = net_adm:ping(Go),
    step(caller_died),
    %% Killed services come back under their names and answer.
    kill(Go, net_kernel, fun() -> pong = net_adm:ping(Go) end),
    kill(Go, rex, fun() -> true = is_pid(rpc:call(Go, t, whereis, [rex])) end),
    kill(Go, user, fun() -> ok = io_request(Go) end),
    pong = net_adm:ping(Go),
    step(killed_services).

caller_dies(Go) ->
    register(waiter, self()),
    {ok, Peer, Node} = peer:start_link(#{name => peer:random_name(), longnames => true,
        host => "127.0.0.1", args => ["-setcookie", atom_to_list(erlang:get_cookie())]}),
    [erpc:cast(Node, gen_server, call,
               [{rex, Go}, {Kind, t, sleep, [300, {waiter, node()}], user}, infinity])
     || Kind <- [call, block_call]],
    [receive started -> ok after 10000 -> exit(not_started) end || _ <- [1, 2]],
    peer:stop(Peer),
    unregister(waiter).

step(Name) -> io:format("step ~p ok~n", [Name]).

%% gone_pid builds a pid of a node that is not running.
gone_pid(Node) ->
    N = atom_to_binary(Node, utf8),
    binary_to_term(<<131, 88, 119, (byte_size(N)), N/binary, 42:32, 0:32, 7:32>>).

io_request(Go) ->
    Ref = make_ref(),
    {user, Go} ! {io_request, self(), Ref, {put_chars, unicode, "hello from erl\n"}},
    receive {io_reply, Ref, R} -> R after 10000 -> io_timeout end.

%% kill kills the Go service registered as Name, waits for its DOWN, then
%% runs Check until it passes (the restart races with our next request).
kill(Go, Name, Check) ->
    Pid = rpc:call(Go, t, whereis, [Name]),
    true = is_pid(Pid),
    MRef = erlang:monitor(process, Pid),
    exit(Pid, kill),
    receive {'DOWN', MRef, process, Pid, killed} -> ok
    after 10000 -> exit({no_down, Name})
    end,
    eventually(Check, 200),
    New = rpc:call(Go, t, whereis, [Name]),
    true = is_pid(New) andalso New =/= Pid,
    step({killed, Name}).

eventually(F, 0) -> F();
eventually(F, N) ->
    try F()
    catch _:_ -> receive after 25 -> eventually(F, N - 1) end
    end.
