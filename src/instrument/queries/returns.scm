; Return statements (queried inside one routine body).
(return_statement) @return
