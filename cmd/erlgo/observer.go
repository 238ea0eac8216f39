package main

import "errors"

// runObserver is not implemented yet.
func runObserver(args []string) error { return errors.New("observer: not implemented yet") }
