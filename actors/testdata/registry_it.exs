# Elixir side of actors/registry_beam_test.go: Shop.Order crosses to Go
# nodes started with a type registry and back. Arguments: the Go node
# names; each has a process registered as go_inbox.
defmodule Shop.Order do
  defstruct [:id, :item, :price]
end

defmodule Shop.Server do
  use GenServer
  def init(s), do: {:ok, s}
  def handle_call(:order, _from, s), do: {:reply, %Shop.Order{id: 7, item: "pen", price: 1.5}, s}
  # Pattern-matches the Go request as the struct and replies with one.
  def handle_call(%Shop.Order{id: id} = o, _from, s), do: {:reply, %Shop.Order{o | id: id + 100}, s}
end

defmodule Wait do
  def for(pred) do
    receive do
      m -> if pred.(m), do: m, else: Wait.for(pred)
    after
      20_000 -> raise "timeout"
    end
  end
end

# Top-level code cannot build a struct defined in the same file, so the
# script runs in a module function.
defmodule Main do
  def run(gos) do
    {:ok, _} = GenServer.start(Shop.Server, nil, name: :shop_server)
    Process.register(self(), :ex_main)
    for go <- gos do
      true = Node.connect(go)
      send({:go_inbox, go}, %Shop.Order{id: 1, item: "book", price: 9.5})
      # A missing field, then an extra key: misfits of Shop.Order.
      send({:go_inbox, go}, %{__struct__: Shop.Order, id: 2, item: "bad"})
      send({:go_inbox, go}, %{__struct__: Shop.Order, id: 3, item: "x", price: 1.0, extra: 1})
      send({:go_inbox, go}, {:after, 4})
    end
    for _ <- gos do
      # The Go side answers each Order with its own Order, pattern-matched here.
      %Shop.Order{id: 1, item: "book", price: 9.5} = Wait.for(&match?(%Shop.Order{id: 1}, &1))
    end
    IO.puts("MATCHED")
    receive do
      :stop -> :ok
    end
  end
end

Main.run(Enum.map(System.argv(), &String.to_atom/1))
