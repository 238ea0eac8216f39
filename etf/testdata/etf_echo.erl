%% etf_echo: reads {packet,4} frames on stdin, each a term_to_binary
%% encoding; answers on stdout with <<0, term_to_binary(binary_to_term(F),
%% [{minor_version, 2}])/binary>>, or <<1, Reason/binary>> if the VM
%% rejects the frame. Exits when stdin closes. Used by erlgo's etf tests:
%%
%%   erl -noinput -pa Dir -eval 'etf_echo:main()'
-module(etf_echo).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    Port = open_port({fd, 0, 1}, [{packet, 4}, binary, eof]),
    loop(Port).

loop(Port) ->
    receive
        {Port, {data, Bin}} ->
            Reply = try
                        <<0, (term_to_binary(binary_to_term(Bin), [{minor_version, 2}]))/binary>>
                    catch
                        C:R -> <<1, (iolist_to_binary(io_lib:format("~p:~p", [C, R])))/binary>>
                    end,
            port_command(Port, Reply),
            loop(Port);
        {Port, eof} ->
            halt(0);
        {'EXIT', Port, _} ->
            halt(0)
    end.
