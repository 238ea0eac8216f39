# soak.exs: the Elixir node of `erlgo soak` (package soak). It runs the
# same driver as the erl node (erlgo_soak.erl, compiled by the runner and
# put on the code path with -pa), but the echo server Go calls here is an
# Elixir GenServer, so Go->Elixir calls go through Elixir's GenServer.
defmodule ErlgoSoak.Echo do
  use GenServer

  @impl true
  def init(state), do: {:ok, state}

  @impl true
  def handle_call(req, _from, state), do: {:reply, req, state}
end

{:ok, _} = GenServer.start(ErlgoSoak.Echo, nil, name: ErlgoSoak.Echo)
:erlgo_soak.main(ErlgoSoak.Echo)
