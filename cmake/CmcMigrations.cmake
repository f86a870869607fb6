# cmc_embed_migrations(TARGET NAMESPACE DIR)
# Embeds every DIR/NNNN_name.sql into a generated source that defines
#   const std::vector<cmc::db::Migration>& <NAMESPACE>::Migrations();
# and adds it to TARGET. Editing or adding a file re-runs the generator.
function(cmc_embed_migrations target namespace dir)
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT files)
  string(REPLACE "::" "_" flat ${namespace})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${flat}_migrations.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} "-DFILES=${files}"
      -P ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    COMMENT "embedding migrations of ${namespace}" VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
