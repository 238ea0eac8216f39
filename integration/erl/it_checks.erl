%% it_checks: the BEAM-side acceptance checks of the erlgo demo node
%% (issue 7), beyond the tour in demo_tour.erl. Run from a real erl node:
%%
%%   erl -noshell -name it@127.0.0.1 -setcookie C -eval "it_checks:main(['go@127.0.0.1'])"
%%
%% Prints one line per check ("ok   Name  Shown" / "FAIL Name  Got") and
%% halts with status 0 when all passed. The Go node must host the demo
%% (package interop/demo) plus the test functions of the integration suite
%% (module it: send/2, group_leader/0, print/1, user/0, throw/1, exit/1,
%% panic/0, goerr/0).
-module(it_checks).
-export([main/1, run/1, capture_loop/1, silent/0, replier/0, dying/0, watch/1]).

%% watch/1 links to a demo_worker and monitors the Go node, prints
%% "armed", then prints what arrives until nodedown (for the graceful
%% stop check of `erlgo node`).
watch([G]) when is_atom(G) ->
    process_flag(trap_exit, true),
    pong = net_adm:ping(G),
    monitor_node(G, true),
    W = spawn_link(G, demo_worker, start, [self()]),
    W ! {echo, self(), armed},
    receive {echo, W, armed} -> io:format("armed~n") end,
    watch_loop();
watch([G]) -> watch([list_to_atom(G)]).

watch_loop() ->
    receive
        {nodedown, _} = M -> io:format("seen ~w~n", [M]), halt(0);
        M -> io:format("seen ~w~n", [M]), watch_loop()
    after 20000 -> io:format("no nodedown~n"), halt(1)
    end.

main([GoNode]) when is_atom(GoNode) ->
    halt(case run(GoNode) of 0 -> 0; _ -> 1 end);
main([GoNode]) ->
    main([list_to_atom(GoNode)]).

run(G) ->
    Results = [step(Name, Fun) || {Name, Fun} <- checks(G)],
    Failed = length([x || false <- Results]),
    io:format("checks: ~p run, ~p failed~n", [length(Results), Failed]),
    Failed.

step(Name, Fun) ->
    Self = self(),
    %% Each check runs in a fresh process so a stray message or exit
    %% cannot leak into the next one.
    {Pid, Mon} = spawn_monitor(fun() ->
        Res = try Fun() catch C:R:S -> {crash, C, R, S} end,
        Self ! {self(), Res}
    end),
    Result = receive
        {Pid, R} -> erlang:demonitor(Mon, [flush]), R;
        {'DOWN', Mon, process, Pid, Why} -> {died, Why}
    after 20000 -> exit(Pid, kill), {error, check_timeout}
    end,
    case Result of
        {ok, Shown} -> io:format("ok   ~s ~0p~n", [Name, Shown]), true;
        Other -> io:format("FAIL ~s ~0p~n", [Name, Other]), false
    end.

expect(Want, Got) when Want =:= Got -> {ok, Got};
expect(Want, Got) -> {unexpected, Got, wanted, Want}.

recv(Match) -> recv(Match, 10000).
recv(Match, Timeout) ->
    receive M ->
        case Match(M) of
            true -> {ok, M};
            false -> recv(Match, Timeout)
        end
    after Timeout -> {error, timeout}
    end.

is(Want) -> fun(M) -> M =:= Want end.

worker(G) ->
    W = spawn(G, demo_worker, start, [self()]),
    W.

%% A gen_server-protocol process that replies to every call.
replier() ->
    receive
        {'$gen_call', From, Req} -> gen:reply(From, {reply_to, Req}), replier();
        _ -> replier()
    end.

%% A process that never answers.
silent() -> receive stop -> ok end.

%% A process that dies when called.
dying() -> receive {'$gen_call', _, _} -> exit(dying_now) end.

%% An io server capturing put_chars for the group leader checks.
capture_loop(Acc) ->
    receive
        {io_request, From, ReplyAs, {put_chars, unicode, M, F, A}} ->
            From ! {io_reply, ReplyAs, ok},
            capture_loop([apply(M, F, A) | Acc]);
        {io_request, From, ReplyAs, {put_chars, unicode, Chars}} ->
            From ! {io_reply, ReplyAs, ok},
            capture_loop([Chars | Acc]);
        {io_request, From, ReplyAs, _} ->
            From ! {io_reply, ReplyAs, {error, request}},
            capture_loop(Acc);
        {get, From} ->
            From ! {captured, unicode:characters_to_binary(lists:reverse(Acc))}
    end.

with_capture(Fun) ->
    Cap = spawn(?MODULE, capture_loop, [[]]),
    Old = group_leader(),
    group_leader(Cap, self()),
    Res = try Fun() after group_leader(Old, self()) end,
    Cap ! {get, self()},
    receive {captured, Text} -> {Res, Text} after 5000 -> {Res, no_capture} end.

io_req(To, Req) ->
    Ref = make_ref(),
    To ! {io_request, self(), Ref, Req},
    receive {io_reply, Ref, Reply} -> Reply after 5000 -> timeout end.

terms() ->
    [atom, 42, -7, 1 bsl 80, 1.5, <<"bin">>, <<1,2,3>>, "chars", [], [1 | 2],
     {a, [b, {c}]}, #{k => v, <<"s">> => [1]}, self(), make_ref(), 'Elixir.Foo',
     #{'__struct__' => 'Elixir.S', x => 1}, [{key, 1}, {other, <<"x">>}]].

checks(G) ->
    Echo = {echo, G},
    [
     {"ping", fun() -> expect(pong, net_adm:ping(G)) end},
     {"visible in nodes()", fun() -> expect(true, lists:member(G, nodes())) end},
     {"echo call round-trips every term type", fun() ->
         Ts = terms(),
         expect(Ts, [gen_server:call(Echo, T) || T <- Ts])
      end},
     {"echo cast {send, Pid, T}", fun() ->
         gen_server:cast(Echo, {send, self(), casted}), recv(is(casted)) end},
     {"echo info {Pid, T}", fun() -> Echo ! {self(), hi}, recv(is({echo, hi})) end},
     {"call missing name -> noproc", fun() ->
         expect(noproc, try gen_server:call({nobody_here, G}, x, 3000) catch exit:{R, _} -> R end)
      end},
     {"spawn demo_worker + echo", fun() ->
         W = worker(G), W ! {echo, self(), 1}, recv(is({echo, W, 1})) end},
     {"spawn_link propagates exit", fun() ->
         process_flag(trap_exit, true),
         W = spawn_link(G, demo_worker, start, [self()]),
         W ! {exit, boom},
         recv(is({'EXIT', W, boom}))
      end},
     {"spawn_monitor gets DOWN", fun() ->
         {W, Ref} = spawn_monitor(G, demo_worker, start, [self()]),
         W ! {exit, bye},
         recv(is({'DOWN', Ref, process, W, bye}))
      end},
     {"spawn unknown MFA -> undef (atom args)", fun() ->
         {P, Ref} = spawn_monitor(G, no_such_mod, no_fun, [x]),
         recv(is({'DOWN', Ref, process, P, {undef, [{no_such_mod, no_fun, [x], []}]}}))
      end},
     {"spawn unknown MFA -> undef (small-int args, a STRING_EXT on the wire)", fun() ->
         {P, Ref} = spawn_monitor(G, no_such_mod, no_fun, [1, 2]),
         recv(is({'DOWN', Ref, process, P, {undef, [{no_such_mod, no_fun, [1, 2], []}]}}))
      end},
     {"worker link / unlink", fun() ->
         process_flag(trap_exit, true),
         W = worker(G),
         W ! {link, self()},
         {ok, _} = recv(is({linked, W, self()})),
         W ! {unlink, self()},
         {ok, _} = recv(is({unlinked, W, self()})),
         Ref = erlang:monitor(process, W),
         W ! {exit, quietly},
         {ok, _} = recv(is({'DOWN', Ref, process, W, quietly})),
         receive {'EXIT', W, _} = E -> {unexpected, E} after 0 -> {ok, no_exit_after_unlink} end
      end},
     {"worker link to us, we exit -> worker dies", fun() ->
         Me = self(),
         {Helper, HRef} = spawn_monitor(fun() ->
             W = spawn(G, demo_worker, start, [self()]),
             W ! {link, self()},
             receive {linked, W, _} -> ok end,
             Me ! {worker, W},
             exit(helper_gone)
         end),
         {ok, {worker, W}} = recv(fun({worker, _}) -> true; (_) -> false end),
         {ok, _} = recv(is({'DOWN', HRef, process, Helper, helper_gone})),
         Ref = erlang:monitor(process, W),
         recv(fun({'DOWN', R, process, _, Why}) -> R =:= Ref andalso lists:member(Why, [helper_gone, noproc]); (_) -> false end)
      end},
     {"worker monitors pid", fun() ->
         V = spawn(fun() -> receive stop -> exit(victim_done) end end),
         W = worker(G), W ! {monitor, V},
         {ok, {monitoring, W, Ref}} = recv(fun({monitoring, P, _}) -> P =:= W; (_) -> false end),
         V ! stop,
         recv(is({down, W, Ref, victim_done}))
      end},
     {"worker monitors {Name, Node}", fun() ->
         V = spawn(fun() -> receive stop -> exit(named_done) end end),
         register(it_named_victim, V),
         W = worker(G), W ! {monitor, {it_named_victim, node()}},
         {ok, {monitoring, W, Ref}} = recv(fun({monitoring, P, _}) -> P =:= W; (_) -> false end),
         V ! stop,
         recv(is({down, W, Ref, named_done}))
      end},
     {"worker monitors missing name -> noproc", fun() ->
         W = worker(G), W ! {monitor, {no_such_name, node()}},
         {ok, {monitoring, W, Ref}} = recv(fun({monitoring, P, _}) -> P =:= W; (_) -> false end),
         recv(is({down, W, Ref, noproc}))
      end},
     {"worker trap_exit sees exit signals", fun() ->
         W = worker(G), W ! {trap_exit, true},
         {ok, _} = recv(is({trap_exit, W, true})),
         exit(W, poke),
         {ok, _} = recv(is({exit_seen, W, self(), poke})),
         W ! {trap_exit, false},
         {ok, _} = recv(is({trap_exit, W, false})),
         Ref = erlang:monitor(process, W),
         exit(W, poke_again),
         recv(is({'DOWN', Ref, process, W, poke_again}))
      end},
     {"worker call ok (pid, name, {Name, Node})", fun() ->
         S = spawn(?MODULE, replier, []),
         register(it_replier, S),
         W = worker(G),
         W ! {call, S, a, 5000},
         {ok, _} = recv(is({call_result, W, {ok, {reply_to, a}}})),
         W ! {call, {it_replier, node()}, b, 5000},
         recv(is({call_result, W, {ok, {reply_to, b}}}))
      end},
     {"worker call Go-local name", fun() ->
         W = worker(G), W ! {call, echo, c, 5000},
         recv(is({call_result, W, {ok, c}}))
      end},
     {"worker call errors: noproc, timeout, exit, noconnection", fun() ->
         W = worker(G),
         W ! {call, {no_such_server, node()}, x, 5000},
         {ok, _} = recv(is({call_result, W, {error, noproc}})),
         Silent = spawn(?MODULE, silent, []),
         W ! {call, Silent, x, 200},
         {ok, _} = recv(is({call_result, W, {error, timeout}})),
         Dying = spawn(?MODULE, dying, []),
         W ! {call, Dying, x, 5000},
         {ok, _} = recv(is({call_result, W, {error, {exit, dying_now}}})),
         W ! {call, {x, 'nobody@127.0.0.1'}, x, 5000},
         recv(is({call_result, W, {error, noconnection}}))
      end},
     {"worker send to pid, {Name, Node}, alias", fun() ->
         W = worker(G),
         W ! {send, self(), to_pid},
         {ok, _} = recv(is(to_pid)),
         register(it_send_target, self()),
         W ! {send, {it_send_target, node()}, to_name},
         {ok, _} = recv(is(to_name)),
         A = alias(),
         W ! {send, A, to_alias},
         {ok, _} = recv(is(to_alias)),
         W ! {send, echo, {self(), via_go_name}},
         recv(is({echo, via_go_name}))
      end},
     {"supervisor:start_child + which_children + restart", fun() ->
         {ok, C} = supervisor:start_child({demo_sup, G}, [self()]),
         true = node(C) =:= G,
         C ! {echo, self(), sup},
         {ok, _} = recv(is({echo, C, sup})),
         true = lists:keymember(C, 2, supervisor:which_children({demo_sup, G})),
         C ! {exit, crash},
         wait_restart(G, C, 50)
      end},
     {"sys:get_state / supervisor:count_children", fun() ->
         _ = sys:get_state({echo, G}),
         Counts = supervisor:count_children({demo_sup, G}),
         case lists:keyfind(specs, 1, Counts) of
             {specs, 1} -> {ok, Counts};
             _ -> {unexpected, Counts}
         end
      end},
     {"rpc:call add/echo", fun() ->
         expect({5, <<"x">>}, {rpc:call(G, demo, add, [2, 3]), rpc:call(G, demo, echo, [<<"x">>])}) end},
     {"rpc:call fail -> badrpc EXIT", fun() ->
         case rpc:call(G, demo, fail, [oops]) of
             {badrpc, {'EXIT', {oops, [_ | _]}}} = R -> {ok, R};
             Other -> Other
         end
      end},
     {"rpc:call undef", fun() ->
         expect({badrpc, {'EXIT', {undef, [{demo, nope, [1], []}]}}}, rpc:call(G, demo, nope, [1])) end},
     {"rpc:block_call", fun() -> expect(7, rpc:block_call(G, demo, add, [3, 4])) end},
     {"rex call directly (rpc fallback path)", fun() ->
         expect({9, {badrpc, {'EXIT', {undef, [{demo, nope, [], []}]}}}},
                {gen_server:call({rex, G}, {call, demo, add, [4, 5], group_leader()}),
                 gen_server:call({rex, G}, {call, demo, nope, [], group_leader()})})
      end},
     {"rpc:cast", fun() -> true = rpc:cast(G, it, send, [self(), rpc_cast]), recv(is(rpc_cast)) end},
     {"erpc:call return", fun() -> expect(3, erpc:call(G, demo, add, [1, 2])) end},
     {"erpc:call throw", fun() -> expect({throw, a}, try erpc:call(G, it, throw, [a]) catch C:R -> {C, R} end) end},
     {"erpc:call exit", fun() -> expect({exit, {exception, c}}, try erpc:call(G, it, exit, [c]) catch C:R -> {C, R} end) end},
     {"erpc:call error", fun() ->
         case catch_all(fun() -> erpc:call(G, demo, fail, [b]) end) of
             {error, {exception, b, [_ | _]}} = R -> {ok, R};
             Other -> Other
         end
      end},
     {"erpc:call undef", fun() ->
         expect({error, {exception, undef, [{demo, nope, [x], []}]}},
                catch_all(fun() -> erpc:call(G, demo, nope, [x]) end))
      end},
     {"erpc:call Go panic / Go error", fun() ->
         case {catch_all(fun() -> erpc:call(G, it, panic, []) end),
               catch_all(fun() -> erpc:call(G, it, goerr, []) end)} of
             {{error, {exception, {panic, <<"kaput">>}, _}}, {error, {exception, <<"boom">>, _}}} = R -> {ok, R};
             Other -> Other
         end
      end},
     {"erpc:call timeout", fun() ->
         expect({error, {erpc, timeout}}, catch_all(fun() -> erpc:call(G, demo, sleep, [2000], 100) end)) end},
     {"erpc:cast", fun() -> ok = erpc:cast(G, it, send, [self(), erpc_cast]), recv(is(erpc_cast)) end},
     {"erpc:multicall / rpc:multicall", fun() ->
         expect({[{ok, 3}, {ok, 3}], {[3], []}},
                {erpc:multicall([G, G], demo, add, [1, 2]), rpc:multicall([G], demo, add, [1, 2])})
      end},
     {"demo:sleep / node_info", fun() ->
         ok = erpc:call(G, demo, sleep, [10]),
         #{name := G, creation := Cr, uptime_ms := U, processes := P} = erpc:call(G, demo, node_info, []),
         true = is_integer(Cr) andalso is_integer(U) andalso is_integer(P) andalso P > 0,
         {ok, P}
      end},
     {"erpc runs with our group leader", fun() ->
         expect(group_leader(), erpc:call(G, it, group_leader, [])) end},
     {"Go io:format reaches our group leader", fun() ->
         {R, Text} = with_capture(fun() -> erpc:call(G, it, print, [hello]) end),
         expect({ok, <<"go says hello\n">>}, {R, Text})
      end},
     {"spawned Go process has our group leader and prints through it", fun() ->
         Me = self(),
         {R, Text} = with_capture(fun() ->
             W = spawn(G, it_gl, start, [Me]),
             W ! go,
             recv(fun({gl, P, _, _}) -> P =:= W; (_) -> false end)
         end),
         case {R, Text} of
             {{ok, {gl, _, GL, true}}, <<"spawned prints hi\n">>} when GL =/= Me -> {ok, {GL, Text}};
             Other -> Other
         end
      end},
     {"group_leader/2 on a Go process", fun() ->
         Me = self(),
         W = spawn(G, it_gl, start, [Me]),
         Cap = spawn(?MODULE, capture_loop, [[]]),
         true = group_leader(Cap, W),
         W ! go,
         {ok, {gl, W, GL, true}} = recv(fun({gl, P, _, _}) -> P =:= W; (_) -> false end),
         Cap ! {get, self()},
         receive {captured, Text} -> expect({Cap, <<"spawned prints hi\n">>}, {GL, Text})
         after 5000 -> {error, no_capture} end
      end},
     {"Go user io server: put_chars, io:format, get_line, unknown", fun() ->
         U = erpc:call(G, it, user, []),
         ok = io:format(U, "from erl ~p~n", [x]),
         expect({ok, ok, eof, {error, request}},
                {io_req(U, {put_chars, unicode, <<"raw\n">>}),
                 io_req({user, G}, {put_chars, unicode, io_lib, format, ["~s~n", ["fmt"]]}),
                 io_req(U, {get_line, unicode, "> "}),
                 io_req(U, frobnicate)})
      end}
    ].

wait_restart(_G, _C, 0) -> {error, not_restarted};
wait_restart(G, C, N) ->
    Kids = [P || {_, P, _, _} <- supervisor:which_children({demo_sup, G}), is_pid(P)],
    case Kids -- [C] of
        [New | _] when not is_pid(C) orelse New =/= C ->
            case lists:member(C, Kids) of
                false -> {ok, {restarted, length(Kids)}};
                true -> timer:sleep(100), wait_restart(G, C, N - 1)
            end;
        _ -> timer:sleep(100), wait_restart(G, C, N - 1)
    end.

catch_all(F) -> try {ok, F()} catch C:R -> {C, R} end.
