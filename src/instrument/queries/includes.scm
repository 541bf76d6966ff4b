; Quoted includes (the project headers whose role declarations count).
(preproc_include path: (string_literal) @include)
