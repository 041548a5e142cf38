package queue

// Hold keeps a message in the queue without delivering it until Release.
func (q *Queue) Hold(id string) error { return q.setHeld(id, true) }

// Release lets a held message go, at once.
func (q *Queue) Release(id string) error { return q.setHeld(id, false) }

func (q *Queue) setHeld(id string, held bool) error {
	q.mu.Lock()
	e, ok := q.msgs[id]
	if !ok {
		q.mu.Unlock()
		return ErrNotFound
	}
	e.msg.Held = held
	if !held {
		e.msg.NextTry = q.opt.Now()
	}
	m := e.msg.clone()
	busy := e.busy
	q.mu.Unlock()
	if !busy { // a busy message's state is saved when its attempt ends
		if err := q.writeState(&m); err != nil {
			return err
		}
	}
	q.Kick()
	return nil
}

// Delete removes a message from the queue without bouncing it. A message
// being delivered is removed when its attempt ends.
func (q *Queue) Delete(id string) error {
	q.mu.Lock()
	e, ok := q.msgs[id]
	if ok {
		delete(q.msgs, id)
	}
	q.mu.Unlock()
	if !ok {
		return ErrNotFound
	}
	// A busy message's attempt may still write ID.json: remove it too.
	if err := q.remove(id, e.stateFile || e.busy); err != nil {
		return err
	}
	return q.sync.Sync()
}

// Flush makes every message that is not held due now.
func (q *Queue) Flush() {
	q.mu.Lock()
	now := q.opt.Now()
	for _, e := range q.msgs {
		if !e.msg.Held {
			e.msg.NextTry = now
		}
	}
	q.mu.Unlock()
	q.Kick()
}
