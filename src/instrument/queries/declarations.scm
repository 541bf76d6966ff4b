; Declarations typed with a role type (DRIVER_DISPATCH Foo;); "@ROLE_TYPES@" stands for the names of role-types.ts.
(declaration type: (type_identifier) @type
  (#any-of? @type "@ROLE_TYPES@")) @declaration
