# cmc_add_proto_library(NAME PROTOS a.proto b.proto ... [DEPENDS lib ...])
# Generates C++ messages and gRPC stubs for protos given relative to ${CMAKE_SOURCE_DIR}/protos and
# builds them into a static library. Include generated headers as "cmc/<area>/v1/x.pb.h".
function(cmc_add_proto_library name)
  cmake_parse_arguments(ARG "" "" "PROTOS;DEPENDS" ${ARGN})
  get_target_property(grpc_plugin gRPC::grpc_cpp_plugin LOCATION)
  set(out_dir ${CMAKE_BINARY_DIR}/protos)
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(gen ${out_dir}/${stem}.pb.cc ${out_dir}/${stem}.pb.h
            ${out_dir}/${stem}.grpc.pb.cc ${out_dir}/${stem}.grpc.pb.h)
    add_custom_command(
      OUTPUT ${gen}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
      COMMAND protobuf::protoc
        --proto_path=${CMAKE_SOURCE_DIR}/protos
        --proto_path=${Protobuf_INCLUDE_DIR}
        --cpp_out=${out_dir} --grpc_out=${out_dir}
        --plugin=protoc-gen-grpc=${grpc_plugin}
        ${CMAKE_SOURCE_DIR}/protos/${proto}
      DEPENDS ${CMAKE_SOURCE_DIR}/protos/${proto} protobuf::protoc
      COMMENT "protoc ${proto}" VERBATIM)
    list(APPEND srcs ${out_dir}/${stem}.pb.cc ${out_dir}/${stem}.grpc.pb.cc)
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${out_dir})
  target_link_libraries(${name} PUBLIC gRPC::grpc++ protobuf::libprotobuf ${ARG_DEPENDS})
endfunction()
