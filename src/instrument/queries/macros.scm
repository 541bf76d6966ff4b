; Macro definitions whose bodies may call the lock API.
(preproc_function_def name: (identifier) @name value: (preproc_arg) @body)
(preproc_def name: (identifier) @name value: (preproc_arg) @body)
