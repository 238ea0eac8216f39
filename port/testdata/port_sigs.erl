%% port_sigs: what ERTS does with bad messages to a port, run as
%% `erl -noinput -pa Dir -s port_sigs start`. For each case it prints
%% "Case: Messages Alive": the owner's messages (EXIT reasons, data) and
%% whether the port still runs. The port package's TestBadMessagesLikeErl
%% runs the same cases against a Go port and compares the lines.
-module(port_sigs).
-export([start/0]).

start() ->
    process_flag(trap_exit, true),
    run("other_sender", [], fun(P) ->
        spawn(fun() -> P ! {self(), {command, <<"x\n">>}} end) end),
    run("bad_data", [], fun(P) -> P ! {self(), {command, foo}} end),
    run("junk", [], fun(P) -> P ! foo end),
    run("connect_junk", [], fun(P) -> P ! {self(), {connect, foo}} end),
    run("iolist", [], fun(P) -> P ! {self(), {command, [$a, [<<"b">>], "c\n"]}} end),
    run("packet1_too_big", [{packet, 1}],
        fun(P) -> P ! {self(), {command, binary:copy(<<0>>, 256)}} end),
    halt(0).

run(Name, Opts, F) ->
    P = open_port({spawn_executable, os:find_executable("cat")}, [binary | Opts]),
    F(P),
    %% cat echoes a marker when the port still runs; a dead port gives
    %% its EXIT instead.
    catch port_command(P, <<"m\n">>),
    Msgs = collect(P, []),
    Alive = erlang:port_info(P) =/= undefined,
    io:format("~s: ~s ~p~n", [Name, string:join(Msgs, ","), Alive]),
    catch port_close(P).

collect(P, Acc) -> collect(P, Acc, <<>>).

%% Output is gathered until the marker ends it, however cat's writes were
%% cut into messages; what came before the marker is one "data" entry.
collect(P, Acc, Buf) ->
    receive
        {'EXIT', P, Reason} when Reason =/= normal ->
            collect(P, ["EXIT " ++ atom_to_list(Reason) | Acc], Buf);
        {P, {data, D}} ->
            All = <<Buf/binary, D/binary>>,
            Size = byte_size(All) - 2,
            case All of
                <<Before:Size/binary, "m\n">> when Before =:= <<>> ->
                    lists:reverse(Acc);
                <<Before:Size/binary, "m\n">> ->
                    lists:reverse(["data " ++ binary_to_list(string:trim(Before)) | Acc]);
                _ ->
                    collect(P, Acc, All)
            end
    after 2000 ->
        lists:reverse(Acc)
    end.
