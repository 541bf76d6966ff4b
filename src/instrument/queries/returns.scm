; Return statements (queried inside one routine body), and the function definitions nested there (a GNU nested
; function, or a parse artefact) that some of them may belong to.
(return_statement) @return
(function_definition) @function
