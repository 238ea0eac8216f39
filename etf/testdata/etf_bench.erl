%% etf_bench times term_to_binary/binary_to_term of the shared benchmark
%% term (../shared/README.md, "etf-term") on the BEAM, for comparison with
%% erlgo's BenchmarkEncodeTerm/BenchmarkDecodeTerm:
%%
%%   erlc -o /tmp etf/testdata/etf_bench.erl
%%   erl -noinput -pa /tmp -eval 'etf_bench:main(1000000)'
%%
%% Prints "encode_ns <float>" and "decode_ns <float>" (per operation), then
%% "small_encode_ns" and "small_decode_ns" for {Pid, 42} with a pid of a
%% remote node (the flood-pidint SEND payload; erlgo's
%% BenchmarkEncodeSmall/BenchmarkDecodeSmall).
-module(etf_bench).
-export([main/1, term/0, small_bin/0]).

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
    SB = small_bin(),
    ST = binary_to_term(SB),
    _ = enc(N div 10, ST, 0), _ = dec(N div 10, SB, 0),
    {TSE, _} = timer:tc(fun() -> enc(N, ST, 0) end),
    {TSD, _} = timer:tc(fun() -> dec(N, SB, 0) end),
    io:format("small_encode_ns ~.2f~nsmall_decode_ns ~.2f~n", [TSE * 1000 / N, TSD * 1000 / N]),
    halt(0).

%% small_bin is {Pid, 42} with Pid = <80.0> on bench@127.0.0.1, creation
%% 1700000000, encoded as erlgo's Encode does (TestCompareWithBEAM checks).
small_bin() ->
    Node = <<"bench@127.0.0.1">>,
    <<131, 104, 2, 88, 119, (byte_size(Node)), Node/binary,
      80:32, 0:32, 1700000000:32, 97, 42>>.

%% The accumulators keep the compiler from discarding the calls.
enc(0, _, Acc) -> Acc;
enc(N, T, Acc) -> enc(N - 1, T, Acc + byte_size(term_to_binary(T))).

dec(0, _, Acc) -> Acc;
dec(N, B, Acc) -> dec(N - 1, B, Acc + element(2, binary_to_term(B))).
