using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

/// <summary>
/// A libmongoc object we own. Objects that borrow another (a collection borrows its client, a cursor its
/// collection) keep the owner's handle referenced, so a finalizer can never free an owner before its dependant.
/// </summary>
internal abstract class NativeHandle : SafeHandle
{
    private readonly SafeHandle? _owner;

    protected NativeHandle(IntPtr pointer, SafeHandle? owner) : base(IntPtr.Zero, ownsHandle: true)
    {
        if (owner is not null)
        {
            var added = false;
            owner.DangerousAddRef(ref added);
            _owner = owner;
        }
        SetHandle(pointer);
    }

    public IntPtr Pointer => handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        _owner?.DangerousRelease();
        return true;
    }

    protected abstract void Free(IntPtr pointer);
}
