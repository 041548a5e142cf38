// Package sqlplan reads SQLite's plan of a query (EXPLAIN QUERY PLAN), for
// the tests that check which indexes a query uses.
package sqlplan

import (
	"context"
	"database/sql"
)

// Querier is what runs the query: a *sql.DB, *sql.Tx or *sql.Conn.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Steps returns the steps of SQLite's plan of query, in order: each
// step's detail, such as "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)".
func Steps(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		steps = append(steps, detail)
	}
	return steps, rows.Err()
}
