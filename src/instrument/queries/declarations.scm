; Declarations typed with a role type (DRIVER_DISPATCH Foo;) and quoted includes.
(declaration type: (type_identifier) @type) @declaration
(preproc_include path: (string_literal) @include)
