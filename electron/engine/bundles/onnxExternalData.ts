import protobuf from 'protobufjs';

/**
 * Just enough of onnx.proto (field numbers as in ONNX) to find tensors whose data lives in
 * external files, wherever they hide: initializers, sparse initializers, attribute tensors and
 * subgraphs, functions. Unknown fields are skipped by the decoder.
 */
const schema = protobuf.parse(`
syntax = "proto2";
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message TensorProto { optional string name = 8; repeated StringStringEntryProto external_data = 13; optional int32 data_location = 14; }
message SparseTensorProto { optional TensorProto values = 1; optional TensorProto indices = 2; }
message AttributeProto { optional TensorProto t = 5; optional GraphProto g = 6; repeated TensorProto tensors = 10; repeated GraphProto graphs = 11; optional SparseTensorProto sparse_tensor = 22; repeated SparseTensorProto sparse_tensors = 23; }
message NodeProto { repeated AttributeProto attribute = 5; }
message GraphProto { repeated NodeProto node = 1; repeated TensorProto initializer = 5; repeated SparseTensorProto sparse_initializer = 15; }
message FunctionProto { repeated NodeProto node = 7; }
message ModelProto { optional GraphProto graph = 7; repeated FunctionProto functions = 25; }
`).root;

const ModelProto = schema.lookupType('ModelProto');

interface Tensor { name?: string; externalData?: { key?: string; value?: string }[]; dataLocation?: number }
interface Sparse { values?: Tensor; indices?: Tensor }
interface Attribute { t?: Tensor; g?: Graph; tensors?: Tensor[]; graphs?: Graph[]; sparseTensor?: Sparse; sparseTensors?: Sparse[] }
interface Node { attribute?: Attribute[] }
interface Graph { node?: Node[]; initializer?: Tensor[]; sparseInitializer?: Sparse[] }
interface Model { graph?: Graph; functions?: { node?: Node[] }[] }

/** The external data locations an ONNX model refers to (empty when all weights are inside). */
export function findExternalData(bytes: Uint8Array): string[] {
  const model = ModelProto.toObject(ModelProto.decode(bytes), { defaults: false }) as Model;
  const found: string[] = [];
  const tensor = (t?: Tensor): void => {
    if (!t) return;
    if (t.dataLocation === 1 || t.externalData?.length) {
      found.push(t.externalData?.find((e) => e.key === 'location')?.value ?? t.name ?? '?');
    }
  };
  const sparse = (s?: Sparse): void => {
    tensor(s?.values);
    tensor(s?.indices);
  };
  const nodes = (list?: Node[]): void => {
    for (const node of list ?? []) {
      for (const a of node.attribute ?? []) {
        tensor(a.t);
        a.tensors?.forEach(tensor);
        sparse(a.sparseTensor);
        a.sparseTensors?.forEach(sparse);
        if (a.g) graph(a.g);
        a.graphs?.forEach(graph);
      }
    }
  };
  const graph = (g: Graph): void => {
    g.initializer?.forEach(tensor);
    g.sparseInitializer?.forEach(sparse);
    nodes(g.node);
  };
  if (model.graph) graph(model.graph);
  for (const fn of model.functions ?? []) nodes(fn.node);
  return found;
}
