package actors

import "github.com/erlgo/erlgo/etf"

type appRun struct{ spec AppSpec }

type AppSpec struct{ Name etf.Atom }

func (a *appRun) env(string) (etf.Term, bool) { return nil, false }
