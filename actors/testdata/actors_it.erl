%% BEAM-side checks against Go actors (actors/erl_test.go). Each check
%% prints "CHECK <name> ok" or "CHECK <name> FAIL <details>"; then the
%% module starts erl_echo for the Go-side checks, prints READY and waits
%% for commands on stdin-less message passing (the Go test kills the node).
-module(actors_it).
-export([main/1, bench/1]).

main([GoNode]) ->
    Checks = [
        {call_by_name, fun() -> 0 = gen_server:call({go_counter, GoNode}, get) end},
        {cast_by_name, fun() ->
            ok = gen_server:cast({go_counter, GoNode}, inc),
            1 = gen_server:call({go_counter, GoNode}, get) end},
        {call_by_pid, fun() ->
            Pid = gen_server:call({go_counter, GoNode}, self_pid),
            true = is_pid(Pid),
            GoNode = node(Pid),
            ok = gen_server:cast(Pid, inc),
            2 = gen_server:call(Pid, get) end},
        {plain_ref_tag, fun() ->
            Ref = make_ref(),
            {go_counter, GoNode} ! {'$gen_call', {self(), Ref}, get},
            receive {Ref, 2} -> ok after 5000 -> error(no_reply) end end},
        {alias_tag, fun() ->
            Alias = alias([reply]),
            Tag = [alias | Alias],
            {go_counter, GoNode} ! {'$gen_call', {self(), Tag}, get},
            receive {Tag, 2} -> ok after 5000 -> error(no_reply) end end},
        {nested_alias_tag, fun() ->
            Alias = alias([reply]),
            Tag = [[alias | Alias] | extra],
            {go_counter, GoNode} ! {'$gen_call', {self(), Tag}, get},
            receive {Tag, 2} -> ok after 5000 -> error(no_reply) end end},
        {missing_name_noproc_fast, fun() ->
            T0 = erlang:monotonic_time(millisecond),
            {'EXIT', {noproc, _}} = (catch gen_server:call({missing, GoNode}, get)),
            true = erlang:monotonic_time(millisecond) - T0 < 4000 end},
        {sys_get_state, fun() -> 2 = sys:get_state({go_counter, GoNode}) end},
        {sys_get_status, fun() ->
            {status, _, {module, gen_server}, [_PDict, running, _Parent, _, Misc]} =
                sys:get_status({go_counter, GoNode}),
            [[{"State", 2}]] = [D || {data, D = [{"State", _}]} <- Misc],
            ok end},
        {sys_suspend_resume, fun() ->
            ok = sys:suspend({go_counter, GoNode}),
            {'EXIT', {timeout, _}} = (catch gen_server:call({go_counter, GoNode}, get, 300)),
            ok = sys:resume({go_counter, GoNode}),
            2 = gen_server:call({go_counter, GoNode}, get) end},
        {which_children, fun() ->
            [{a, A, worker, _}, {b, B, worker, _}] = supervisor:which_children({go_sup, GoNode}),
            true = is_pid(A) andalso is_pid(B) end},
        {count_children, fun() ->
            [{specs, 2}, {active, 2}, {supervisors, 0}, {workers, 2}] =
                supervisor:count_children({go_sup, GoNode}) end},
        {terminate_restart_child, fun() ->
            ok = supervisor:terminate_child({go_sup, GoNode}, b),
            [{a, _, worker, _}, {b, undefined, worker, _}] = supervisor:which_children({go_sup, GoNode}),
            {error, running} = supervisor:delete_child({go_sup, GoNode}, a),
            {ok, B2} = supervisor:restart_child({go_sup, GoNode}, b),
            true = is_pid(B2),
            {error, not_found} = supervisor:terminate_child({go_sup, GoNode}, nope) end},
        {start_child_spec, fun() ->
            {ok, C} = supervisor:start_child({go_sup, GoNode},
                                             #{id => c, start => {go_worker, start_link, []}}),
            true = is_pid(C),
            {error, {already_started, C}} = supervisor:start_child({go_sup, GoNode},
                                             #{id => c, start => {go_worker, start_link, []}}),
            {ok, #{id := c, restart := permanent}} = supervisor:get_childspec({go_sup, GoNode}, c),
            ok end},
        {simple_one_for_one_start_child, fun() ->
            {ok, P} = supervisor:start_child({go_sofo, GoNode}, [hello, 42]),
            [{undefined, P, worker, _}] = supervisor:which_children({go_sofo, GoNode}),
            hello_42 = gen_server:call(P, args),
            ok = supervisor:terminate_child({go_sofo, GoNode}, P),
            [] = supervisor:which_children({go_sofo, GoNode}) end},
        {sys_replace_state_fun_refused, fun() ->
            {'EXIT', _} = (catch sys:replace_state({go_counter, GoNode}, fun(S) -> S end)),
            2 = gen_server:call({go_counter, GoNode}, get) end},
        {sys_terminate, fun() ->
            ok = sys:terminate({go_victim1, GoNode}, normal),
            {'EXIT', {noproc, _}} = (catch gen_server:call({go_victim1, GoNode}, get)) end},
        {gen_server_stop, fun() ->
            ok = gen_server:stop({go_victim2, GoNode}),
            {'EXIT', {noproc, _}} = (catch gen_server:call({go_victim2, GoNode}, get)) end},
        {call_crashing_go_actor, fun() ->
            {'EXIT', {{error, _}, _}} = (catch gen_server:call({go_victim3, GoNode}, unknown_request)) end}
    ],
    lists:foreach(fun({Name, F}) ->
        try F() of
            _ -> io:format("CHECK ~p ok~n", [Name])
        catch C:R:St -> io:format("CHECK ~p FAIL ~p:~0p ~0p~n", [Name, C, R, St])
        end
    end, Checks),
    {ok, _} = erl_echo:start(),
    io:format("READY~n"),
    receive never -> ok end.

%% bench([GoNode, N]): N calls BEAM->Go and BEAM->BEAM, printed as
%% "BENCH <name> <total_us> <p50_us>".
bench([GoNode, NA]) ->
    N = list_to_integer(atom_to_list(NA)),
    {ok, _} = erl_echo:start(),
    run(beam_go, fun() -> gen_server:call({go_counter, GoNode}, get) end, N),
    run(beam_beam, fun() -> gen_server:call(erl_echo, ping) end, N),
    %% BEAM -> BEAM over loopback: a second erl node started with peer.
    [_, Host] = string:split(atom_to_list(node()), "@"),
    {ok, _Peer, PeerNode} = peer:start_link(#{name => list_to_atom("bench_peer_" ++ os:getpid()),
        host => Host, longnames => true,
        args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", filename:dirname(code:which(?MODULE))]}),
    {ok, _} = erpc:call(PeerNode, erl_echo, start, []),
    run(beam_beam_remote, fun() -> gen_server:call({erl_echo, PeerNode}, ping) end, N),
    io:format("READY~n"),
    receive never -> ok end.

run(Name, F, N) ->
    [F() || _ <- lists:seq(1, 100)],
    T0 = erlang:monotonic_time(microsecond),
    Ts = [begin S = erlang:monotonic_time(nanosecond), F(),
                erlang:monotonic_time(nanosecond) - S end || _ <- lists:seq(1, N)],
    Total = erlang:monotonic_time(microsecond) - T0,
    P50 = lists:nth(max(1, N div 2), lists:sort(Ts)),
    io:format("BENCH ~p ~p ~p~n", [Name, Total, P50]).
