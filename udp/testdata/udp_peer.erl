%% gen_udp echo peer for erlgo's udp tests: open a free port on
%% 127.0.0.1, print "port N", send every datagram back to its sender with
%% "erl:" in front, until killed.
-module(udp_peer).
-export([start/0]).

start() ->
    {ok, S} = gen_udp:open(0, [binary, {active, true}, {ip, {127,0,0,1}}, {recbuf, 1 bsl 20}]),
    {ok, Port} = inet:port(S),
    io:format("port ~p~n", [Port]),
    loop(S).

loop(S) ->
    receive
        {udp, S, IP, Port, Data} ->
            ok = gen_udp:send(S, IP, Port, <<"erl:", Data/binary>>),
            loop(S)
    end.
