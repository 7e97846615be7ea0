namespace Replication.Mongo.Native;

internal sealed class FindAndModifyOptionsHandle : NativeHandle
{
    private FindAndModifyOptionsHandle(IntPtr pointer) : base(pointer, null) { }

    public static FindAndModifyOptionsHandle Create() => new(LibMongoc.mongoc_find_and_modify_opts_new());

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_find_and_modify_opts_destroy(pointer);
}
