%% port_echo: the program side of a {packet, N} port, run by the port
%% package's tests as `erl -noinput -pa Dir -s port_echo start N`. It opens
%% its own stdin/stdout as a port with the same framing and echoes every
%% packet back until stdin closes, then halts with status 0.
-module(port_echo).
-export([start/1]).

start([NAtom]) ->
    N = list_to_integer(atom_to_list(NAtom)),
    Port = open_port({fd, 0, 1}, [{packet, N}, binary, eof]),
    loop(Port).

loop(Port) ->
    receive
        {Port, {data, Data}} ->
            true = port_command(Port, Data),
            loop(Port);
        {Port, eof} ->
            halt(0)
    end.
