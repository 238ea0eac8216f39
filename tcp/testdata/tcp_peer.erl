%% gen_tcp peers for erlgo's tcp tests and benchmark.
%%   server(Packet): listen on a free port, print "port N", echo every
%%     message on every connection ({active, once}), until killed.
%%   client(Port, Packet, Sizes): connect, send one message of each size
%%     (lines end in "\n"), check every echo, print "ok" or "fail ...".
-module(tcp_peer).
-export([server/1, client/1]).

packet("line") -> line;
packet(N) -> list_to_integer(N).

server([P]) ->
    Packet = packet(atom_to_list(P)),
    {ok, L} = gen_tcp:listen(0, [binary, {packet, Packet}, {active, false}, {reuseaddr, true},
                                 {packet_size, 16#1000000}, {buffer, 16#10000}, {ip, {127,0,0,1}}]),
    {ok, Port} = inet:port(L),
    io:format("port ~p~n", [Port]),
    accept(L).

accept(L) ->
    {ok, S} = gen_tcp:accept(L),
    Pid = spawn(fun() -> receive go -> ok end, inet:setopts(S, [{active, once}]), echo(S) end),
    ok = gen_tcp:controlling_process(S, Pid),
    Pid ! go,
    accept(L).

echo(S) ->
    receive
        {tcp, S, Data} ->
            ok = gen_tcp:send(S, Data),
            inet:setopts(S, [{active, once}]),
            echo(S);
        {tcp_closed, S} -> ok;
        {tcp_error, S, _} -> ok
    end.

client([PortA, P | SizesA]) ->
    Port = list_to_integer(atom_to_list(PortA)),
    Packet = packet(atom_to_list(P)),
    Sizes = [list_to_integer(atom_to_list(X)) || X <- SizesA],
    {ok, S} = gen_tcp:connect({127,0,0,1}, Port, [binary, {packet, Packet}, {active, false},
                                                   {packet_size, 16#1000000}, {buffer, 16#10000}]),
    Msgs = [message(Packet, I, Size) || {I, Size} <- lists:zip(lists:seq(1, length(Sizes)), Sizes)],
    [ok = gen_tcp:send(S, M) || M <- Msgs],
    Result = check(S, Msgs),
    io:format("~s~n", [Result]),
    gen_tcp:close(S),
    halt(0).

message(line, I, Size) -> <<(binary:copy(<<($a + I rem 26)>>, Size))/binary, "\n">>;
message(_, I, Size) -> binary:copy(<<I>>, Size).

check(_, []) -> "ok";
check(S, [M | Rest]) ->
    case gen_tcp:recv(S, 0, 10000) of
        {ok, M} -> check(S, Rest);
        {ok, Other} -> io_lib:format("fail got ~p bytes, want ~p", [byte_size(Other), byte_size(M)]);
        {error, E} -> io_lib:format("fail ~p", [E])
    end.
