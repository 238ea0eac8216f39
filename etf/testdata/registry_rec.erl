%% Used by TestRegistryErlangRecord (etf/registry_beam_test.go): a real
%% -record(order, ...) against a Go type registered with AsRecord.
%% Prints "term order HEX" (term_to_binary of a record), then reads one
%% line of hex (Go's encoding) and prints "check order ok" when it matches
%% #order{id = 1, item = <<"book">>, price = 9.5}.
-module(registry_rec).
-export([main/0]).

-record(order, {id, item, price}).

main() ->
    Rec = #order{id = 1, item = <<"book">>, price = 9.5},
    io:format("term order ~s~n", [binary:encode_hex(term_to_binary(Rec))]),
    Line = io:get_line(""),
    Bin = binary:decode_hex(list_to_binary(string:trim(Line))),
    case binary_to_term(Bin) of
        #order{id = 1, item = <<"book">>, price = 9.5} ->
            io:format("check order ok~n");
        Other ->
            io:format("check order FAIL ~p~n", [Other])
    end,
    halt().
