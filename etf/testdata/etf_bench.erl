%% etf_bench times term_to_binary/binary_to_term of the shared benchmark
%% term (../shared/README.md, "etf-term") on the BEAM, for comparison with
%% erlgo's BenchmarkEncodeTerm/BenchmarkDecodeTerm:
%%
%%   erlc -o /tmp etf/testdata/etf_bench.erl
%%   erl -noinput -pa /tmp -eval 'etf_bench:main(1000000)'
%%
%% Prints "encode_ns <float>" and "decode_ns <float>" (per operation).
-module(etf_bench).
-export([main/1, term/0]).

term() ->
    {user, 12345, binary:copy(<<"x">>, 100), [1,2,3,4,5,6,7,8,9,10],
     #{name => <<"alice">>, age => 30, admin => true, tags => [a,b,c], score => 1.5}}.

main(N) ->
    T = term(),
    B = term_to_binary(T),
    _ = enc(N div 10, T, 0), _ = dec(N div 10, B, 0), % warm up
    {TE, _} = timer:tc(fun() -> enc(N, T, 0) end),
    {TD, _} = timer:tc(fun() -> dec(N, B, 0) end),
    io:format("encode_ns ~.2f~ndecode_ns ~.2f~n", [TE * 1000 / N, TD * 1000 / N]),
    halt(0).

%% The accumulators keep the compiler from discarding the calls.
enc(0, _, Acc) -> Acc;
enc(N, T, Acc) -> enc(N - 1, T, Acc + byte_size(term_to_binary(T))).

dec(0, _, Acc) -> Acc;
dec(N, B, Acc) -> dec(N - 1, B, Acc + element(2, binary_to_term(B))).
