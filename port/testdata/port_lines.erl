%% port_lines: what ERTS's {line, L} framing makes of printf's output, run
%% as `erl -noinput -pa Dir -s port_lines start L Hex`, Hex being printf's
%% format (octal escapes for the bytes an argument cannot hold). Prints one line per
%% message: "eol <hex>" or "noeol <hex>", then "end" at the port's EXIT
%% (ERTS may deliver exit_status before the last fragment, so that is not
%% the end).
-module(port_lines).
-export([start/1]).

start([LAtom, HexAtom]) ->
    L = list_to_integer(atom_to_list(LAtom)),
    Data = binary:decode_hex(atom_to_binary(HexAtom)),
    process_flag(trap_exit, true),
    Printf = os:find_executable("printf"),
    Port = open_port({spawn_executable, Printf},
                     [{args, [Data]}, {line, L}, binary, exit_status]),
    loop(Port).

loop(Port) ->
    receive
        {Port, {data, {Kind, Bin}}} ->
            io:format("~s ~s~n", [Kind, binary:encode_hex(Bin)]),
            loop(Port);
        {Port, {exit_status, _}} ->
            loop(Port);
        {'EXIT', Port, normal} ->
            io:format("end~n"),
            halt(0)
    end.
