%% demo_tour: a scripted tour of the erlgo demo node, run from a real erl
%% node. It prints every step and its result and halts with status 0 when
%% every step gave the expected answer, 1 otherwise.
%%
%%   erl -noshell -name tour@127.0.0.1 -setcookie C -eval "demo_tour:main(['go@127.0.0.1'])"
-module(demo_tour).
-export([main/1, run/1]).

main([GoNode]) when is_atom(GoNode) ->
    Failed = run(GoNode),
    halt(case Failed of 0 -> 0; _ -> 1 end);
main([GoNode]) ->
    main([list_to_atom(GoNode)]).

%% run/1 runs every step and returns the number of failed steps.
run(GoNode) ->
    Steps = steps(GoNode),
    Results = [step(Name, Fun) || {Name, Fun} <- Steps],
    Failed = length([x || false <- Results]),
    io:format("~ntour: ~p steps, ~p failed~n", [length(Results), Failed]),
    Failed.

step(Name, Fun) ->
    Result = try Fun() catch C:R:S -> {crash, C, R, S} end,
    case Result of
        {ok, Shown} ->
            io:format("ok   ~-34s ~p~n", [Name, Shown]), true;
        Other ->
            io:format("FAIL ~-34s ~p~n", [Name, Other]), false
    end.

%% members/2 polls the default pg scope until the Go node's demo process
%% has been discovered (pg syncs asynchronously after the connection).
members(_G, 0) -> {error, no_members};
members(G, N) ->
    case [P || P <- pg:get_members(demo_group), node(P) =:= G] of
        [] -> timer:sleep(100), members(G, N - 1);
        Ps -> {ok, Ps}
    end.

expect(Want, Got) when Want =:= Got -> {ok, Got};
expect(Want, Got) -> {unexpected, Got, wanted, Want}.

recv(Pattern) -> recv(Pattern, 5000).
recv(Match, Timeout) ->
    receive M ->
        case Match(M) of
            true -> {ok, M};
            false -> recv(Match, Timeout)
        end
    after Timeout -> {error, timeout}
    end.

steps(G) ->
    Echo = {echo, G},
    [
     {"net_adm:ping", fun() -> expect(pong, net_adm:ping(G)) end},
     {"node visible in nodes()", fun() -> expect(true, lists:member(G, nodes())) end},
     {"gen_server:call echo", fun() -> expect({hello, 42}, gen_server:call(Echo, {hello, 42})) end},
     {"gen_server:cast echo {send,..}", fun() ->
         ok = gen_server:cast(Echo, {send, self(), cast_back}),
         recv(fun(M) -> M =:= cast_back end)
      end},
     {"info message to echo", fun() ->
         Echo ! {self(), ping},
         recv(fun(M) -> M =:= {echo, ping} end)
      end},
     {"call to a missing name", fun() ->
         R = try gen_server:call({no_such_name, G}, x, 2000) catch exit:{Reason, _} -> Reason end,
         expect(noproc, R)
      end},
     {"spawn demo_worker", fun() ->
         W = spawn(G, demo_worker, start, [self()]),
         W ! {echo, self(), hi},
         recv(fun(M) -> M =:= {echo, W, hi} end)
      end},
     {"link + exit propagation", fun() ->
         process_flag(trap_exit, true),
         W = spawn(G, demo_worker, start, [self()]),
         W ! {link, self()},
         {ok, _} = recv(fun({linked, P, _}) -> P =:= W; (_) -> false end),
         W ! {exit, tour_done},
         R = recv(fun({'EXIT', P, _}) -> P =:= W; (_) -> false end),
         process_flag(trap_exit, false),
         case R of {ok, {'EXIT', W, tour_done}} -> {ok, tour_done}; _ -> R end
      end},
     {"monitor a Go process", fun() ->
         W = spawn(G, demo_worker, start, [self()]),
         Ref = erlang:monitor(process, W),
         W ! {exit, bye},
         recv(fun({'DOWN', R, process, P, bye}) -> R =:= Ref andalso P =:= W; (_) -> false end)
      end},
     {"Go worker monitors us", fun() ->
         Me = self(),
         Victim = spawn(fun() -> receive stop -> exit(victim_done) end end),
         W = spawn(G, demo_worker, start, [Me]),
         W ! {monitor, Victim},
         {ok, {monitoring, W, Ref}} = recv(fun({monitoring, P, _}) -> P =:= W; (_) -> false end),
         Victim ! stop,
         recv(fun({down, P, R, victim_done}) -> P =:= W andalso R =:= Ref; (_) -> false end)
      end},
     {"supervisor:start_child demo_sup", fun() ->
         case supervisor:start_child({demo_sup, G}, [self()]) of
             {ok, P} when is_pid(P), node(P) =:= G -> {ok, P};
             Other -> Other
         end
      end},
     {"rpc:call demo:add(2, 3)", fun() -> expect(5, rpc:call(G, demo, add, [2, 3])) end},
     {"erpc:call demo:echo", fun() -> expect(<<"hi">>, erpc:call(G, demo, echo, [<<"hi">>])) end},
     {"erpc:call demo:fail -> error", fun() ->
         R = try erpc:call(G, demo, fail, [oops]) catch error:{exception, Reason, _} -> {raised, Reason} end,
         expect({raised, oops}, R)
      end},
     {"rpc:call undefined function", fun() ->
         case rpc:call(G, demo, nope, []) of
             {badrpc, {'EXIT', {undef, _}}} -> {ok, undef};
             Other -> Other
         end
      end},
     {"global:whereis_name(erlgo_demo)", fun() ->
         ok = global:sync(),
         case global:whereis_name(erlgo_demo) of
             P when is_pid(P), node(P) =:= G -> expect({erlgo_demo, hi}, gen_server:call(P, hi));
             Other -> {unexpected, Other}
         end
      end},
     {"pg:get_members(demo_group)", fun() ->
         case pg:start_link() of {ok, _} -> ok; {error, {already_started, _}} -> ok end,
         members(G, 50)
      end},
     {"demo:node_info()", fun() ->
         case rpc:call(G, demo, node_info, []) of
             #{name := G} = M -> {ok, maps:keys(M)};
             Other -> Other
         end
      end}
    ].
