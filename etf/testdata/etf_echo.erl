%% etf_echo: a port program for erlgo's etf tests. It reads {packet,4}
%% frames on stdin, each <<Mode, Bin/binary>> with Bin a term_to_binary
%% encoding, and answers on stdout with <<0, Reply/binary>>, or
%% <<1, Reason/binary>> if the VM rejects the frame. Exits when stdin closes.
%%
%%   Mode 0: Reply = term_to_binary(binary_to_term(Bin), [{minor_version, 2}])
%%   Mode 1: Bin holds a list of {A, B} pairs; Reply encodes the list of
%%           -1 | 0 | 1 saying whether A < B, A == B or A > B.
%%   Mode 2: Bin holds a spec (see build/1); Reply = term_to_binary of the
%%           term it describes, built by the VM.
%%   Mode 3: Bin holds {Spec, Enc}; Reply encodes whether
%%           binary_to_term(Enc) =:= build(Spec).
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
        {Port, {data, <<Mode, Bin/binary>>}} ->
            Reply = try
                        <<0, (handle(Mode, binary_to_term(Bin)))/binary>>
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

handle(0, T) ->
    term_to_binary(T, [{minor_version, 2}]);
handle(1, Pairs) ->
    term_to_binary([cmp(A, B) || {A, B} <- Pairs], [{minor_version, 2}]);
handle(2, Spec) ->
    term_to_binary(build(Spec), [{minor_version, 2}]);
handle(3, {Spec, Enc}) ->
    term_to_binary(binary_to_term(Enc) =:= build(Spec)).

%% build({Shape, N}) nests the atom leaf N levels deep (as etf/deep_test.go
%% deepShapes does); build({big, Sign, Bits}) is Sign * (2^Bits - 1).
build({big, Sign, Bits}) -> Sign * ((1 bsl Bits) - 1);
build({Shape, N}) -> lists:foldl(fun(_, In) -> wrap(Shape, In) end, leaf, lists:seq(1, N)).

wrap(tuple, In) -> {In};
wrap(list, In) -> [In];
wrap(map, In) -> #{k => In};
wrap(improper, In) -> [In | t].

cmp(A, B) when A < B -> -1;
cmp(A, B) when A > B -> 1;
cmp(_, _) -> 0.
