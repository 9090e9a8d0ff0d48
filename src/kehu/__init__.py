"""kehu (客户): customer development planning and customer analytics."""

from kehu.workspace import Workspace

__all__ = ["Workspace"]
__version__ = "0.1.0"
