; Function definitions and their bodies.
(function_definition
  declarator: (_) @declarator
  body: (compound_statement) @body) @function
