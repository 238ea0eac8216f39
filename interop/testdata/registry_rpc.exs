# Elixir side of interop/registry_erl_test.go: calls registered Go
# functions on a Go node with a type registry by rpc and erpc, passing and
# getting %Shop.Order{}, and matches registered errors in the OTP shapes.
# Argument: the Go node name.
defmodule Shop.Order do
  defstruct [:id, :item, :price]
end

# An exception, as Go's registered error types are on the wire.
defmodule Shop.StockError do
  defexception [:item, :left]
  def message(e), do: "#{e.item}: #{e.left} left"
end

defmodule Check do
  # Raises with the step's name, so that a failure says which one.
  def step(name, f) do
    try do
      f.()
    rescue
      e -> raise "step #{name}: #{Exception.message(e)}"
    end

    IO.puts("ok #{name}")
  end

  # The class and reason :erpc.call raised, or {:returned, value}; an
  # error-class exception in the callee is error:{exception, Reason, Stack}.
  def erpc(go, f, args) do
    try do
      {:returned, :erpc.call(go, :shop, f, args)}
    catch
      class, reason -> {class, reason}
    end
  end
end

# Top-level code cannot build a struct defined in the same file, so the
# script runs in a module function.
defmodule Main do
  def run(go) do
    true = Node.connect(go)
    order = %Shop.Order{id: 1, item: "book", price: 9.5}

    Check.step("rpc struct", fn ->
      %Shop.Order{id: 1, item: "book", price: 19.0} = :rpc.call(go, :shop, :double, [order])
    end)

    Check.step("erpc struct", fn ->
      {:returned, %Shop.Order{id: 1, item: "book", price: 19.0}} = Check.erpc(go, :double, [order])
    end)

    Check.step("rpc list of structs", fn ->
      [%Shop.Order{id: 1, item: "book"}, %Shop.Order{id: 2, item: "book"}] =
        :rpc.call(go, :shop, :orders, [2])
    end)

    Check.step("rpc registered sentinel", fn ->
      {:badrpc, {:EXIT, {:out_of_stock, [_ | _]}}} = :rpc.call(go, :shop, :fail, [:oos])
    end)

    Check.step("erpc registered sentinel", fn ->
      {:error, {:exception, :out_of_stock, [_ | _]}} = Check.erpc(go, :fail, [:oos])
    end)

    Check.step("rpc registered error type", fn ->
      {:badrpc, {:EXIT, {%Shop.StockError{item: "pen", left: 0}, [_ | _]}}} =
        :rpc.call(go, :shop, :fail, [:stock])
    end)

    Check.step("erpc registered error type", fn ->
      {:error, {:exception, %Shop.StockError{item: "pen", left: 0}, [_ | _]}} =
        Check.erpc(go, :fail, [:stock])
    end)

    Check.step("unregistered error", fn ->
      {:badrpc, {:EXIT, {"boom", [_ | _]}}} = :rpc.call(go, :shop, :fail, [:plain])
      {:error, {:exception, "boom", [_ | _]}} = Check.erpc(go, :fail, [:plain])
    end)

    Check.step("raise rescued as the exception", fn ->
      try do
        :erpc.call(go, :shop, :fail, [:stock])
      rescue
        e in ErlangError ->
          %Shop.StockError{item: "pen"} = elem(e.original, 1)
      end
    end)

    Check.step("misfit argument", fn ->
      {:badrpc, {:EXIT, {:badarg, _}}} =
        :rpc.call(go, :shop, :double, [%{__struct__: Shop.Order, id: 2}])
    end)

    IO.puts("MATCHED")
  end
end

Main.run(String.to_atom(hd(System.argv())))
