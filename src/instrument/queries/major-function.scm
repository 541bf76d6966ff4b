; Stores into a driver object's dispatch table: X->MajorFunction[i] = F (chains are followed in code).
(assignment_expression
  left: (subscript_expression
    argument: (field_expression field: (field_identifier) @field))
  right: (_) @value
  (#eq? @field "MajorFunction")) @store
