%% Erlang side of dist's interop tests. Started with
%%   erl -noshell -name N@127.0.0.1 -setcookie C -eval 'disttest:main()'
%% it registers an echo process and executes one command per stdin line,
%% printing one result line per command.
-module(disttest).
-export([main/0]).

main() ->
    register(echo, spawn(fun echo_loop/0)),
    io:format("READY ~s~n", [node()]),
    loop().

loop() ->
    case io:get_line("") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            Toks = string:lexemes(string:trim(Line), " "),
            try cmd(Toks)
            catch C:E -> io:format("ERROR ~p:~p~n", [C, E])
            end,
            loop()
    end.

cmd(["connect", N]) ->
    R = net_kernel:connect_node(list_to_atom(N)),
    io:format("CONNECT ~p~n", [R]);
cmd(["send", N, Proc]) ->
    %% Sent twice: the second copy travels with cached atom refs.
    Msg = {hello, self(), [alpha, beta, gamma, 'ünïcödé', node()]},
    {list_to_atom(Proc), list_to_atom(N)} ! Msg,
    {list_to_atom(Proc), list_to_atom(N)} ! Msg,
    io:format("SENT~n");
cmd(["big", N, Proc, Size]) ->
    Bin = pattern(list_to_integer(Size)),
    {list_to_atom(Proc), list_to_atom(N)} ! {big, erlang:md5(Bin), Bin},
    io:format("SENT~n");
cmd(["bigpar", N, Proc, Size, Count]) ->
    %% Count processes send big binaries at once, so their fragments
    %% interleave on the connection.
    Dest = {list_to_atom(Proc), list_to_atom(N)},
    Self = self(),
    Pids = [spawn(fun() ->
                      Bin = pattern(list_to_integer(Size) + I),
                      Dest ! {big, erlang:md5(Bin), Bin},
                      Self ! {sent, self()}
                  end) || I <- lists:seq(1, list_to_integer(Count))],
    [receive {sent, P} -> ok end || P <- Pids],
    io:format("SENT~n");
cmd(["bigstream", N, Proc, Size, Ms]) ->
    %% One process streams {bigseq, I, <<I:64, Pattern/binary>>} of Size
    %% bytes for Ms milliseconds, then {bigend, Count}.
    Dest = {list_to_atom(Proc), list_to_atom(N)},
    Pat = pattern(list_to_integer(Size) - 8),
    End = erlang:monotonic_time(millisecond) + list_to_integer(Ms),
    io:format("STREAMED ~p~n", [stream(Dest, Pat, 0, End)]);
cmd(["bigsink", Size]) ->
    %% A registered bigsink checks such a stream for order and content;
    %% {bigend, Count, From} makes it reply {bigsunk, Got, Bad, Count}.
    Pat = pattern(list_to_integer(Size) - 8),
    register(bigsink, spawn(fun() -> sink_loop(Pat, 0, 0) end)),
    io:format("BIGSINK~n");
cmd(["deep", N, Proc, Depth]) ->
    %% a list nested Depth levels deep around the atom bottom
    D = lists:foldl(fun(_, Acc) -> [Acc] end, bottom, lists:seq(1, list_to_integer(Depth))),
    {list_to_atom(Proc), list_to_atom(N)} ! {deep, list_to_integer(Depth), D},
    io:format("SENT~n");
cmd(["nodes"]) ->
    io:format("NODES ~w ~w~n", [nodes(), nodes(hidden)]);
cmd(["disconnect", N]) ->
    io:format("DISCONNECT ~p~n", [erlang:disconnect_node(list_to_atom(N))]);
cmd(["ticktime"]) ->
    io:format("TICKTIME ~p~n", [net_kernel:get_net_ticktime()]);
cmd(["beam_bench", Peer, N]) ->
    distbench:beam_to_beam(list_to_atom(Peer), list_to_integer(N));
cmd(["flood", Node, Proc, N]) ->
    distbench:flood_to({list_to_atom(Proc), list_to_atom(Node)}, list_to_integer(N), flood_done);
cmd(["sink", N]) ->
    %% a registered sink that reports to the process named by 'report'
    P = spawn(fun() -> receive {report_to, To} -> distbench:sink(To, list_to_integer(N)) end end),
    register(sink, P),
    io:format("SINK~n");
cmd(["halt"]) ->
    halt(0).

stream(Dest, Pat, I, End) ->
    case erlang:monotonic_time(millisecond) >= End of
        true -> Dest ! {bigend, I}, I;
        false -> Dest ! {bigseq, I, <<I:64, Pat/binary>>}, stream(Dest, Pat, I + 1, End)
    end.

sink_loop(Pat, Got, Bad) ->
    receive
        {bigseq, I, <<K:64, Rest/binary>>} when I =:= Got, K =:= Got, Rest =:= Pat ->
            sink_loop(Pat, Got + 1, Bad);
        {bigseq, _, _} ->
            sink_loop(Pat, Got + 1, Bad + 1);
        {bigend, Count, From} ->
            From ! {bigsunk, Got, Bad, Count}
    end.

pattern(Size) ->
    Chunk = list_to_binary(lists:seq(0, 250)),
    binary:part(binary:copy(Chunk, Size div 251 + 1), 0, Size).

%% {echo, From, Msg} -> From ! {echoed, Msg}; anything received also gets
%% an md5 report for big binaries.
echo_loop() ->
    receive
        {echo, From, Msg} ->
            From ! {echoed, Msg};
        {md5, From, Bin} ->
            From ! {md5, erlang:md5(Bin), byte_size(Bin)};
        {link_me, From} ->
            link(From),
            From ! {linked, self()};
        Other ->
            io:format("ECHO-UNEXPECTED ~p~n", [Other])
    end,
    echo_loop().
