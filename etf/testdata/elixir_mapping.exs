# Used by TestElixirMapping (etf/elixir_test.go): one elixir run checks the
# term mapping in both directions.
#
# 1. For every case below it prints "term NAME HEX", HEX being
#    :erlang.term_to_binary(value); Go decodes it with etf.Unmarshal.
# 2. It then reads lines "NAME HEX" from stdin (Go's etf.Marshal output),
#    decodes each with :erlang.binary_to_term and prints
#    "check NAME ok" when it equals (===) the value below, else
#    "check NAME FAIL <inspect of what arrived>".
defmodule MyApp.User do
  defstruct name: nil, age: 0, roles: [], email: nil
end

defmodule MappingCases do
  def cases do
    [
      user: %MyApp.User{name: "José", age: 41, roles: ["admin", "dev"], email: nil},
      users: [%MyApp.User{name: "a", age: 1}, %MyApp.User{name: "b", age: 2, email: "b@x"}],
      keyword: [timeout: 5000, name: "x", debug: true],
      charlist: 'héllo',
      string: "héllo ✓",
      mixed_map: %{"a" => 1, :b => 2.5},
      big: 1_267_650_600_228_229_401_496_703_205_376,
      neg_big: -18_446_744_073_709_551_616,
      int64: -123_456_789_012,
      record: {:point, 1, 2},
      atoms: [nil, true, false, :ok],
      nested: %{tags: [:a, :b], meta: %{"k" => [1, 2.0, "three"]}}
    ]
  end

  def main do
    for {name, value} <- cases() do
      IO.puts("term #{name} #{Base.encode16(:erlang.term_to_binary(value))}")
    end

    expected = Map.new(cases(), fn {k, v} -> {Atom.to_string(k), v} end)

    IO.stream(:stdio, :line)
    |> Enum.each(fn line ->
      case String.split(String.trim(line), " ") do
        [name, hex] ->
          got = :erlang.binary_to_term(Base.decode16!(hex))

          if Map.fetch(expected, name) === {:ok, got} do
            IO.puts("check #{name} ok")
          else
            IO.puts("check #{name} FAIL #{inspect(got)}")
          end

        _ ->
          :ok
      end
    end)
  end
end

MappingCases.main()
