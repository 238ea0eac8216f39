%% Compares the answers of a Go node to BEAM's introspection calls with
%% the answers of this erl node to the same calls: for every call, the
%% shape (types, proplist keys, exception class and reason) must match.
%% Prints "ok Label" or "FAIL Label ..." per call and "done N".
-module(it_bifs).
-behaviour(gen_server).
-export([main/1, main/2, load/2, init/1, handle_call/3, handle_cast/2, handle_info/2]).

%% main(GoNode, IdleMs) connects, lets the connection idle for IdleMs
%% (past net_ticktime) and then checks.
main(GoNode, IdleMs) ->
    true = net_kernel:connect_node(GoNode),
    timer:sleep(IdleMs),
    [GoNode] = nodes(),
    main(GoNode).

main(GoNode) ->
    %% The BEAM twin of the Go side's probe: a registered gen_server that
    %% traps exits, links to a peer and monitors it, with queued messages.
    {ok, Probe} = gen_server:start({local, bif_probe}, ?MODULE, [], []),
    Dead = spawn(fun() -> ok end),
    MRef = monitor(process, Dead),
    receive {'DOWN', MRef, process, Dead, _} -> ok end,
    GoProbe = rpc:call(GoNode, erlang, whereis, [bif_probe]),
    GoDead = rpc:call(GoNode, t, dead_pid, []),
    true = is_pid(GoProbe) andalso is_pid(GoDead),
    Sides = [{go, GoNode, GoProbe, GoDead, Probe},
             {beam, node(), Probe, Dead, GoProbe}],
    Items = [registered_name, status, message_queue_len, messages, links, monitors,
             monitored_by, trap_exit, group_leader, current_function, initial_call,
             memory, reductions, dictionary, heap_size, total_heap_size, stack_size,
             priority, error_handler, garbage_collection, suspending, current_location,
             current_stacktrace, min_heap_size, message_queue_data],
    Calls = [{"node/0", erlang, node, []},
             {"node/1", erlang, node, [probe]},
             {"nodes/0", erlang, nodes, []},
             {"nodes/1 visible", erlang, nodes, [visible]},
             {"nodes/1 list", erlang, nodes, [[this, connected]]},
             {"nodes/1 bad", erlang, nodes, [nonsense]},
             {"processes/0", erlang, processes, []},
             {"registered/0", erlang, registered, []},
             {"whereis/1", erlang, whereis, [bif_probe]},
             {"whereis/1 none", erlang, whereis, [no_such_name]},
             {"whereis/1 bad", erlang, whereis, ["str"]},
             {"is_process_alive", erlang, is_process_alive, [probe]},
             {"is_process_alive dead", erlang, is_process_alive, [dead]},
             {"is_process_alive other node", erlang, is_process_alive, [other]},
             {"process_info/1", erlang, process_info, [probe]},
             {"process_info/1 dead", erlang, process_info, [dead]},
             {"process_info/1 other node", erlang, process_info, [other]},
             {"process_info/2 dead", erlang, process_info, [dead, status]},
             {"process_info/2 other node", erlang, process_info, [other, status]},
             {"process_info/2 unknown item", erlang, process_info, [probe, no_such_item]},
             {"process_info/2 not a pid", erlang, process_info, [self, status]},
             {"process_info/2 list", erlang, process_info, [probe, Items]},
             {"process_info/2 list with unknown", erlang, process_info, [probe, [status, nope]]},
             {"process_info/2 registered_name of unnamed", erlang, process_info, [dead_alive, registered_name]},
             {"memory/0", erlang, memory, []},
             {"memory/1 total", erlang, memory, [total]},
             {"memory/1 list", erlang, memory, [[processes, system]]},
             {"memory/1 bad", erlang, memory, [nonsense]},
             {"monotonic_time/0", erlang, monotonic_time, []},
             {"monotonic_time/1", erlang, monotonic_time, [millisecond]},
             {"monotonic_time/1 pps", erlang, monotonic_time, [1000]},
             {"monotonic_time/1 bad", erlang, monotonic_time, [fortnight]},
             {"system_time/0", erlang, system_time, []},
             {"system_time/1", erlang, system_time, [second]},
             {"system_info/1 bad", erlang, system_info, [no_such_info]},
             {"statistics/1 bad", erlang, statistics, [no_such_stat]},
             {"application:which_applications/0", application, which_applications, []},
             {"application:loaded_applications/0", application, loaded_applications, []},
             {"ets:all/0", ets, all, []},
             {"code:which/1", code, which, [no_such_module_xyz]},
             {"code:is_loaded/1", code, is_loaded, [no_such_module_xyz]}]
        ++ [{"process_info/2 " ++ atom_to_list(I), erlang, process_info, [probe, I]} || I <- Items]
        ++ [{"system_info/1 " ++ atom_to_list(I), erlang, system_info, [I]}
            || I <- [otp_release, process_count, process_limit, schedulers, schedulers_online,
                     version, system_version, logical_processors, wordsize, machine,
                     system_architecture, port_count, port_limit, atom_count, atom_limit,
                     ets_count, ets_limit, smp_support, threads, thread_pool_size, creation]]
        ++ [{"statistics/1 " ++ atom_to_list(I), erlang, statistics, [I]}
            || I <- [runtime, wall_clock, reductions, exact_reductions, run_queue, io,
                     total_run_queue_lengths, run_queue_lengths, garbage_collection, context_switches]],
    N = lists:foldl(fun(C, Acc) -> Acc + check(C, Sides) end, 0, Calls),
    E = erpc_checks(GoNode, GoProbe),
    S = sys_checks(GoNode),
    O = observer_checks(GoNode, GoProbe),
    io:format("done ~p~n", [N + E + S + O]),
    halt().

check({Label, M, F, Args}, [Go, Beam]) ->
    G = shape(call(Go, M, F, Args)),
    B = shape(call(Beam, M, F, Args)),
    case compatible(G, B) of
        true -> io:format("ok ~s ~W~n", [Label, B, 12]), 1;
        false -> io:format("FAIL ~s~n  go:   ~p~n  beam: ~p~n", [Label, G, B]), 0
    end.

call({_, Node, Probe, Dead, Other}, M, F, Args) ->
    Sub = fun(probe) -> Probe; (dead) -> Dead; (other) -> Other;
             (dead_alive) -> spawn_idle(Node); (A) -> A end,
    rpc:call(Node, M, F, [Sub(A) || A <- Args]).

%% An unnamed live process on Node.
spawn_idle(Node) when Node =:= node() -> spawn(fun() -> receive stop -> ok end end);
spawn_idle(Node) -> rpc:call(Node, t, unnamed_pid, []).

erpc_checks(GoNode, GoProbe) ->
    Class = fun(Node, Args) ->
                try erpc:call(Node, erlang, process_info, Args) of V -> {value, shape(V)}
                catch C:R -> {C, element(1, R), element(2, R)} end
            end,
    Pairs = [{"erpc process_info status", Class(GoNode, [GoProbe, status]),
              Class(node(), [whereis(bif_probe), status])},
             {"erpc process_info badarg", Class(GoNode, [GoProbe, nope]),
              Class(node(), [whereis(bif_probe), nope])}],
    lists:sum([case G =:= B of
                   true -> io:format("ok ~s~n", [L]), 1;
                   false -> io:format("FAIL ~s~n  go:   ~p~n  beam: ~p~n", [L, G, B]), 0
               end || {L, G, B} <- Pairs]).

%% sys:statistics/2 on the Go actor and on the BEAM gen_server: ok to
%% switch on and off, {ok, no_statistics} while off, {ok, [...]} with the
%% counts (at least the three calls made since) while on.
sys_checks(GoNode) ->
    Run = fun(Ref) ->
              Off = sys:statistics(Ref, get),
              On = sys:statistics(Ref, true),
              [ok = gen_server:call(Ref, ping) || _ <- [1, 2, 3]],
              {ok, Stats} = sys:statistics(Ref, get),
              In = proplists:get_value(messages_in, Stats),
              Stop = sys:statistics(Ref, false),
              {Off, On, shape({ok, Stats}), In >= 3, Stop, sys:statistics(Ref, get)}
          end,
    G = Run({bif_probe, GoNode}),
    B = Run(bif_probe),
    case G =:= B of
        true -> io:format("ok sys:statistics ~w~n", [B]), 1;
        false -> io:format("FAIL sys:statistics~n  go:   ~p~n  beam: ~p~n", [G, B]), 0
    end.

%% load(GoNode, Rounds): while the Go side spawns and ends processes, list
%% them all (processes/0, procs_info/1, etop_collect/1) and inspect 2000 of
%% them each round; every answer must be a list or undefined (a process
%% that ended meanwhile), never a badrpc. Prints "load ok N" (processes
%% seen in the last round).
load(GoNode, Rounds) ->
    process_flag(trap_exit, true),
    Last = lists:foldl(fun(_, _) -> load_round(GoNode) end, 0, lists:seq(1, Rounds)),
    io:format("load ok ~p~n", [Last]),
    halt().

load_round(GoNode) ->
    T0 = erlang:monotonic_time(millisecond),
    Pids = rpc:call(GoNode, erlang, processes, []),
    T1 = erlang:monotonic_time(millisecond),
    true = is_list(Pids),
    Sample = lists:sublist(Pids, 1, 2000),
    [case rpc:call(GoNode, erlang, process_info, [P, [status, message_queue_len, memory, reductions, links]]) of
         undefined -> ok;
         L when is_list(L) -> 5 = length(L)
     end || P <- Sample],
    Coll = spawn_link(GoNode, observer_backend, procs_info, [self()]),
    Infos = collect_procs(Coll, []),
    true = is_list(Infos) andalso length(Infos) > 0,
    E = spawn(GoNode, observer_backend, etop_collect, [self()]),
    receive {E, Info} -> etop_info = element(1, Info) after 30000 -> exit(etop_timeout) end,
    io:format("load round: ~p processes; processes/0 ~p ms, the rest ~p ms~n",
              [length(Pids), T1 - T0, erlang:monotonic_time(millisecond) - T1]),
    length(Pids).

%% What observer and etop run on their target: observer_backend:vsn/0
%% and sys_info/0 by rpc, etop_collect/1 and procs_info/1 by remote spawn
%% (as etop and observer's process tab do), on the Go node and here.
observer_checks(GoNode, GoProbe) ->
    Vsn = fun(Node) -> shape(rpc:call(Node, observer_backend, vsn, [])) end,
    SysInfo = fun(Node) -> shape(rpc:call(Node, observer_backend, sys_info, [])) end,
    Etop = fun(Node) ->
               Pid = spawn(Node, observer_backend, etop_collect, [self()]),
               receive {Pid, Info} -> Info after 10000 -> timeout end
           end,
    Procs = fun(Node) ->
                process_flag(trap_exit, true),
                Pid = spawn_link(Node, observer_backend, procs_info, [self()]),
                collect_procs(Pid, [])
            end,
    GoEtop = Etop(GoNode),
    GoProcs = Procs(GoNode),
    GoCount = length(rpc:call(GoNode, erlang, processes, [])),
    Results =
        [compare("observer_backend:vsn/0", Vsn(GoNode), Vsn(node())),
         compare("observer_backend:sys_info/0", SysInfo(GoNode), SysInfo(node())),
         %% BEAM's first etop_collect turns scheduler_wall_time on (for
         %% as long as the collector lives) and answers runtime undefined;
         %% the second answers what the Go node answers each time.
         compare("observer_backend:etop_collect/1", shape(GoEtop), shape(etop_on(Etop, 100))),
         compare("observer_backend:procs_info/1", shape(GoProcs), shape(Procs(node()))),
         check_true("etop_collect counts the processes",
                    element(3, GoEtop) =:= length(element(9, GoEtop))
                    andalso abs(element(3, GoEtop) - GoCount) =< 3),
         check_true("procs_info lists every process", abs(length(GoProcs) - GoCount) =< 3),
         check_true("etop shows the probe by name",
                    lists:keymember(bif_probe, 5, element(9, GoEtop))
                    andalso lists:keymember(GoProbe, 2, element(9, GoEtop)))],
    etop_text(GoNode, GoEtop),
    lists:sum(Results).

%% etop_on(Etop, Tries): this node's #etop_info{} once the flag holder
%% etop_collect spawned has turned scheduler_wall_time on.
etop_on(Etop, 0) -> Etop(node());
etop_on(Etop, Tries) ->
    case Etop(node()) of
        Info when element(5, Info) =:= undefined -> erlang:yield(), etop_on(Etop, Tries - 1);
        Info -> Info
    end.

collect_procs(Pid, Acc) ->
    receive
        {procs_info, Pid, Infos} -> collect_procs(Pid, Acc ++ Infos);
        {'EXIT', Pid, normal} -> Acc
    after 10000 -> timeout
    end.

%% etop's text view of the ten busiest processes, from the Go node's
%% #etop_info{} (the columns etop_txt prints).
etop_text(Node, Info) ->
    Procs = lists:sublist(lists:reverse(lists:keysort(4, element(9, Info))), 10),
    io:format("etop ~s: ~p processes, run queue ~p~n", [Node, element(3, Info), element(6, Info)]),
    [io:format("etop ~-15w ~10w ~8w ~5w ~w ~w~n", [P, Mem, Reds, MQ, Name, CF])
     || {etop_proc_info, P, Mem, Reds, Name, _, CF, MQ} <- Procs].

compare(Label, G, B) ->
    case compatible(G, B) of
        true -> io:format("ok ~s ~W~n", [Label, B, 12]), 1;
        false -> io:format("FAIL ~s~n  go:   ~p~n  beam: ~p~n", [Label, G, B]), 0
    end.

check_true(Label, true) -> io:format("ok ~s~n", [Label]), 1;
check_true(Label, false) -> io:format("FAIL ~s~n", [Label]), 0.

%% shape/1 keeps the types of a term, the keys of proplists and maps,
%% and the class and reason of an rpc failure.
shape({badrpc, {'EXIT', {Reason, _Stack}}}) -> {badrpc, Reason};
shape({badrpc, Reason}) -> {badrpc, Reason};
shape(undefined) -> undefined;
shape(true) -> boolean;
shape(false) -> boolean;
shape([]) -> nil;
shape(L) when is_list(L) ->
    case io_lib:printable_list(L) of
        true -> string;
        false ->
            case lists:all(fun({K, _}) -> is_atom(K); (_) -> false end, L) of
                true -> {proplist, lists:keysort(1, [{K, shape(V)} || {K, V} <- L])};
                false -> {list, lists:usort([shape(E) || E <- L])}
            end
    end;
shape(T) when is_tuple(T) -> {tuple, [shape(E) || E <- tuple_to_list(T)]};
shape(M) when is_map(M) -> {map, lists:sort(maps:keys(M))};
shape(I) when is_integer(I) -> int;
shape(F) when is_float(F) -> float;
shape(A) when is_atom(A) -> atom;
shape(P) when is_pid(P) -> pid;
shape(P) when is_port(P) -> port;
shape(R) when is_reference(R) -> ref;
shape(B) when is_binary(B) -> binary;
shape(_) -> other.

%% compatible(Go, Beam): same shape, where an empty list fits any list
%% (and a string), a list's elements on the Go side each fit one of
%% BEAM's, and a proplist has the same keys in the same order.
compatible(S, S) -> true;
compatible(nil, {list, _}) -> true;
compatible({list, _}, nil) -> true;
compatible(nil, string) -> true;
compatible(string, nil) -> true;
compatible(nil, {proplist, _}) -> true;
compatible({proplist, _}, nil) -> true;
compatible(string, {list, [int]}) -> true;
compatible({list, [int]}, string) -> true;
compatible({list, Gs}, {list, Bs}) ->
    lists:all(fun(G) -> lists:any(fun(B) -> compatible(G, B) end, Bs) end, Gs);
compatible({proplist, Gs}, {proplist, Bs}) ->
    [K || {K, _} <- Gs] =:= [K || {K, _} <- Bs]
        andalso lists:all(fun({{_, G}, {_, B}}) -> compatible(G, B) end, lists:zip(Gs, Bs));
compatible({tuple, Gs}, {tuple, Bs}) when length(Gs) =:= length(Bs) ->
    lists:all(fun({G, B}) -> compatible(G, B) end, lists:zip(Gs, Bs));
compatible(_, _) -> false.

%% The BEAM probe: traps exits, links to and monitors a peer, and keeps
%% two messages it will not take in its mailbox by sleeping in a call.
init([]) ->
    process_flag(trap_exit, true),
    Peer = spawn_link(fun() -> receive stop -> ok end end),
    monitor(process, Peer),
    {ok, Peer}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.
