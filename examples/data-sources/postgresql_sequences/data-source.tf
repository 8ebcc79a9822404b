# Sequences of the public schema whose name ends in "_seq".
data "postgresql_sequences" "ids" {
  database          = "postgres"
  schemas           = ["public"]
  like_any_patterns = ["%\\_seq"]
}

output "sequences" {
  value = { for s in data.postgresql_sequences.ids.sequences : "${s.schema_name}.${s.object_name}" => s.data_type }
}
