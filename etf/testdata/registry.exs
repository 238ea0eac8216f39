# Used by TestRegistryElixir (etf/registry_beam_test.go): registered Go
# types against real Elixir structs, both directions.
#
# 1. Prints "term NAME HEX" for each value below (term_to_binary); Go
#    converts them through its registry.
# 2. Reads "NAME HEX" lines (Go's encoding) from stdin, and for each prints
#    "check NAME ok" when the value matches the pattern for NAME, else
#    "check NAME FAIL <inspect>", and "bytes NAME same|differ" comparing
#    Go's bytes with term_to_binary(value, minor_version: 2).
defmodule Shop.Order do
  defstruct [:id, :item, :price]
end

defmodule Shop.Cart do
  defstruct [:owner, :orders, :placed, :status, :ttl]
end

defmodule Shop.StockError do
  defexception [:item, :left]

  @impl true
  def message(e), do: "#{e.item}: #{e.left} left"
end

defmodule RegistryCases do
  @placed ~U[2026-12-01 23:04:05.123456Z]

  def from_elixir do
    [
      order: %Shop.Order{id: 1, item: "book", price: 9.5},
      cart: %Shop.Cart{
        owner: "ann",
        orders: [%Shop.Order{id: 1, item: "book", price: 9.5}, %Shop.Order{id: 2, item: "pen", price: 1}],
        placed: @placed,
        status: "open",
        ttl: 90_000_000_000
      },
      status: {Shop.Status, "open"},
      sentinel: {:error, :out_of_stock},
      stock_error: {:error, %Shop.StockError{item: "book", left: 0}},
      missing_field: Map.delete(%Shop.Order{id: 1, item: "book", price: 9.5}, :price),
      wrong_type: %Shop.Order{id: "one", item: "book", price: 9.5},
      extra_field: Map.put(%Shop.Order{id: 1, item: "book", price: 9.5}, :color, :red)
    ]
  end

  def check("order", v), do: match?(%Shop.Order{id: 1, item: "book", price: 9.5}, v)

  def check("cart", v) do
    case v do
      %Shop.Cart{owner: "ann", orders: [%Shop.Order{id: 1, item: "book", price: 9.5}, %Shop.Order{id: 2}], status: "open", placed: ns, ttl: ttl} ->
        DateTime.compare(DateTime.from_unix!(ns, :nanosecond), @placed) == :eq and
          System.convert_time_unit(ttl, :nanosecond, :millisecond) == 90_000

      _ ->
        false
    end
  end

  def check("status", v), do: match?({Shop.Status, "open"}, v)
  def check("sentinel", v), do: match?({:error, :out_of_stock}, v)

  def check("stock_error", v) do
    match?({:error, %Shop.StockError{item: "book", left: 0}}, v) and
      Exception.message(elem(v, 1)) == "book: 0 left"
  end

  def check(_, _), do: false

  def main do
    for {name, value} <- from_elixir() do
      IO.puts("term #{name} #{Base.encode16(:erlang.term_to_binary(value))}")
    end

    IO.stream(:stdio, :line)
    |> Enum.each(fn line ->
      case String.split(String.trim(line), " ") do
        [name, hex] ->
          bin = Base.decode16!(hex)
          got = :erlang.binary_to_term(bin)

          if check(name, got) do
            IO.puts("check #{name} ok")
          else
            IO.puts("check #{name} FAIL #{inspect(got)}")
          end

          same = :erlang.term_to_binary(got, minor_version: 2) == bin
          IO.puts("bytes #{name} #{if same, do: "same", else: "differ"}")

        _ ->
          :ok
      end
    end)
  end
end

RegistryCases.main()
